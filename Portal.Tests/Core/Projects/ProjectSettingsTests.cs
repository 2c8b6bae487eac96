using Portal.Core.Projects;

namespace Portal.Tests.Core.Projects;

public class ProjectSettingsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new ProjectSettings().Validate());

    [Fact]
    public void Validate_OutOfRangeValues_NameEachField()
    {
        var errors = new ProjectSettings
        {
            AnnotatorsPerTask = 0, CoveragePercent = 101, AgreementThreshold = 1.5, ReservationMinutes = 0, RelabelAgeDays = 0,
        }.Validate();

        Assert.Equal(
            ["AnnotatorsPerTask", "CoveragePercent", "AgreementThreshold", "ReservationMinutes", "RelabelAgeDays"],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }
}
