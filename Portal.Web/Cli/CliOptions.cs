using System.CommandLine;

namespace Portal.Web.Cli;

/// <summary>Options several verbs share, so they read and explain the same everywhere.</summary>
internal static class CliOptions
{
    public static Option<string> Project(string description = "The project, by id or exact name.") =>
        new("--project") { Description = description, Required = true, HelpName = "ID|NAME" };

    /// <summary>FROM=TO, split at the first '='; anything else is a parse error naming the option.</summary>
    public static Option<List<(string From, string To)>> Pairs(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "FROM=TO",
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var pairs = new List<(string, string)>();
            foreach (var token in result.Tokens)
            {
                var i = token.Value.IndexOf('=', StringComparison.Ordinal);
                if (i <= 0 || i == token.Value.Length - 1)
                {
                    result.AddError($"{name} takes FROM=TO, not \"{token.Value}\".");
                    return [];
                }

                pairs.Add((token.Value[..i].Trim(), token.Value[(i + 1)..].Trim()));
            }

            return pairs;
        },
    };
}
