using Portal.Core.Audits;

namespace Portal.Tests.Core.Audits;

public class TaskReferencesTests
{
    [Fact]
    public void Parse_LinesCommasSemicolonsAndTabs_KeepsTheLine_DropsBlanksAndRepeats()
    {
        var parsed = TaskReferences.Parse("12, ext-a\r\n\n \"ext b\";13\t12\n");

        Assert.Equal([new TaskReference(1, "12"), new TaskReference(1, "ext-a"), new TaskReference(3, "ext b"), new TaskReference(3, "13")], parsed);
        Assert.Empty(TaskReferences.Parse(null));
        Assert.Empty(TaskReferences.Parse(" ,\n;"));
    }
}
