using Portal.Core.Audits;

namespace Portal.Core.Drift;

/// <summary>
/// The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), as in Numerical Recipes (Press et al.,
/// 3rd ed., 6.2): the series for x &lt; a + 1, where P is small and Q is at least about a third, and Lentz's continued
/// fraction for Q otherwise, so a tiny upper tail (a p-value down to 1e-300) keeps its relative accuracy instead of
/// vanishing in 1 − P.
/// </summary>
public static class IncompleteGamma
{
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;
    private const int MaxIterations = 100_000;

    public static double UpperRegularized(double a, double x)
    {
        Check(a, x);
        if (x == 0)
        {
            return 1;
        }

        return x < a + 1 ? 1 - Series(a, x) : ContinuedFraction(a, x);
    }

    public static double LowerRegularized(double a, double x)
    {
        Check(a, x);
        if (x == 0)
        {
            return 0;
        }

        return x < a + 1 ? Series(a, x) : 1 - ContinuedFraction(a, x);
    }

    private static void Check(double a, double x)
    {
        if (!(a > 0) || double.IsInfinity(a))
        {
            throw new ArgumentOutOfRangeException(nameof(a), "The shape must be a positive number.");
        }

        if (!(x >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(x), "x must be zero or more.");
        }
    }

    /// <summary>e^{-x} x^a / Γ(a), the factor both expansions share, in logs so large a and x do not overflow.</summary>
    private static double Prefactor(double a, double x) => Math.Exp(-x + a * Math.Log(x) - Beta.LogGamma(a));

    private static double Series(double a, double x)
    {
        double ap = a, term = 1 / a, sum = term;
        for (var n = 0; n < MaxIterations && Math.Abs(term) >= Math.Abs(sum) * Epsilon; n++)
        {
            ap++;
            term *= x / ap;
            sum += term;
        }

        return sum * Prefactor(a, x);
    }

    private static double ContinuedFraction(double a, double x)
    {
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
            c = b + an / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < Epsilon)
            {
                break;
            }
        }

        return Prefactor(a, x) * h;
    }
}
