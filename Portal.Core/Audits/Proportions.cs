namespace Portal.Core.Audits;

/// <summary>A proportion's estimate with its two-sided interval and the method that made it.</summary>
public sealed record ProportionInterval(int Successes, int Trials, double Estimate, double Low, double High, double Confidence, string Method)
{
    public double HalfWidth => (High - Low) / 2;
}

/// <summary>
/// Confidence intervals for a binomial proportion (an error rate: errors among audited items). Wilson's score interval
/// (Wilson 1927) is the portal's default: it behaves well at 0 and near 0 or 1, where the textbook Wald interval fails.
/// Clopper-Pearson (1934) is the conservative "exact" interval from the binomial distribution itself.
/// </summary>
public static class Proportions
{
    public const string WilsonName = "Wilson score";
    public const string ClopperPearsonName = "Clopper-Pearson exact";

    public static ProportionInterval Wilson(int successes, int trials, double confidence = 0.95)
    {
        Check(successes, trials, confidence);
        var z = Normal.Quantile(1 - (1 - confidence) / 2);
        double n = trials, p = successes / n, z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // At 0 or n successes the bound is exactly 0 or 1; rounding must not put it a hair inside.
        var low = successes == 0 ? 0 : Math.Max(0, centre - half);
        var high = successes == trials ? 1 : Math.Min(1, centre + half);
        return new ProportionInterval(successes, trials, p, low, high, confidence, WilsonName);
    }

    public static ProportionInterval ClopperPearson(int successes, int trials, double confidence = 0.95)
    {
        Check(successes, trials, confidence);
        var alpha = 1 - confidence;
        var low = successes == 0 ? 0 : Beta.InverseRegularized(alpha / 2, successes, trials - successes + 1);
        var high = successes == trials ? 1 : Beta.InverseRegularized(1 - alpha / 2, successes + 1, trials - successes);
        return new ProportionInterval(successes, trials, (double)successes / trials, low, high, confidence, ClopperPearsonName);
    }

    private static void Check(int successes, int trials, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (confidence is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), "The confidence level lies strictly between 0 and 1.");
        }
    }
}

/// <summary>The standard normal distribution's quantile function.</summary>
public static class Normal
{
    /// <summary>
    /// Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988), accurate to about 1e-16: the z with P(Z &lt;= z) = p.
    /// </summary>
    public static double Quantile(double p)
    {
        if (p is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), "A probability strictly between 0 and 1 is needed.");
        }

        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var r = 0.180625 - q * q;
            return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r
                + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608)
                / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r
                + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
        }

        var t = Math.Sqrt(-Math.Log(q < 0 ? p : 1 - p));
        double value;
        if (t <= 5)
        {
            t -= 1.6;
            value = (((((((t * 7.7454501427834140764e-4 + 0.0227238449892691845833) * t + 0.24178072517745061177) * t + 1.27045825245236838258) * t
                + 3.64784832476320460504) * t + 5.7694972214606914055) * t + 4.6303378461565452959) * t + 1.42343711074968357734)
                / (((((((t * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * t + 0.0151986665636164571966) * t + 0.14810397642748007459) * t
                + 0.68976733498510000455) * t + 1.6763848301838038494) * t + 2.05319162663775882187) * t + 1.0);
        }
        else
        {
            t -= 5;
            value = (((((((t * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * t + 0.0012426609473880784386) * t + 0.026532189526576123093) * t
                + 0.29656057182850489123) * t + 1.7848265399172913358) * t + 5.4637849111641143699) * t + 6.6579046435011037772)
                / (((((((t * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * t + 1.8463183175100546818e-5) * t + 7.868691311456132591e-4) * t
                + 0.0148753612908506148525) * t + 0.13692988092273580531) * t + 0.59983220655588793769) * t + 1.0);
        }

        return q < 0 ? -value : value;
    }
}

/// <summary>The regularized incomplete beta function and its inverse, for exact binomial intervals.</summary>
public static class Beta
{
    /// <summary>I_x(a, b), by the continued fraction of Numerical Recipes (Press et al., 3rd ed., 6.4).</summary>
    public static double Regularized(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(x, a, b) / a
            : 1 - front * ContinuedFraction(1 - x, b, a) / b;
    }

    /// <summary>The x with I_x(a, b) = p, by bisection (I is increasing in x); 60 halvings give full double precision.</summary>
    public static double InverseRegularized(double p, double a, double b)
    {
        double low = 0, high = 1;
        for (var i = 0; i < 200 && high - low > 1e-15; i++)
        {
            var mid = (low + high) / 2;
            if (Regularized(mid, a, b) < p)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 / Guard(1 + aa * d);
            c = Guard(1 + aa / c);
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 / Guard(1 + aa * d);
            c = Guard(1 + aa / c);
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-15)
            {
                break;
            }
        }

        return h;

        static double Guard(double v) => Math.Abs(v) < tiny ? tiny : v;
    }

    /// <summary>ln Γ(x) by the Lanczos approximation (g = 7, n = 9), accurate to about 1e-15 for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++)
        {
            sum += g[i] / (x + i);
        }

        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
