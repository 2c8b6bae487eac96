using Portal.Core.Security;

namespace Portal.Web.Common;

/// <summary>The one rule for who sees annotators' names: QA leads below Manager see letters when the project anonymizes.</summary>
public static class Anonymity
{
    public static bool HidesNames(bool projectAnonymizes, ProjectRole role) => projectAnonymizes && role < ProjectRole.Manager;
}
