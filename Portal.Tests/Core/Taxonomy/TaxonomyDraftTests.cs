using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Taxonomy;

public class TaxonomyDraftTests
{
    private static readonly Guid Org = Guid.Parse("00000000-0000-0000-0000-000000000001");
    private static readonly Guid Company = Guid.Parse("00000000-0000-0000-0000-000000000002");
    private static readonly Guid PublicBody = Guid.Parse("00000000-0000-0000-0000-000000000003");
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-000000000004");
    private static readonly Guid Place = Guid.Parse("00000000-0000-0000-0000-000000000005");

    private static TaxonomyModel Published() => new(
    [
        new TaxonomyQuestion("entities", ControlKind.Spans, "Mark the entities", false,
        [
            new(Org, null, "Organization", "#64b5f6", "o"),
            new(Company, Org, "Company", "#42a5f5", "c"),
            new(PublicBody, Org, "Public body", "#1e88e5", "g"),
            new(Person, null, "Person", "#e57373", "p"),
            new(Place, null, "Place", "#81c784", "l"),
        ]),
    ]);

    private static TaxonomyDraft Draft() => TaxonomyDraft.From(1, Published());

    [Fact]
    public void Rename_KeepsTheKey_AndTheMapKeepsAnnotations()
    {
        var draft = Draft().Rename(Person, "Individual");

        Assert.Equal("Individual", draft.Model.Find(Person)!.Value.Label.Name);
        Assert.Equal([new LabelChange(LabelChangeKind.Rename, Person)], draft.Changes);
        Assert.Equal(new LabelFate(LabelFateKind.Keep, Person, LabelChangeKind.Rename), LabelMigrationMap.Of(draft.Changes).Resolve(Person));
        Assert.Empty(draft.Validate());
    }

    [Fact]
    public void Move_UnderItsOwnChild_IsRefused_AndAMoveChangesThePath()
    {
        Assert.Equal("Parent", Assert.Throws<TaxonomyEditException>(() => Draft().Move(Org, Company)).Field);

        var moved = Draft().Move(PublicBody, null);

        Assert.Equal("Public body", moved.Model.PathOf(PublicBody));
        Assert.Equal(0, moved.Model.DepthOf(PublicBody));
    }

    [Fact]
    public void Merge_MapsAnnotationsToTheTarget_AdoptsChildren_AndFollowsLaterMerges()
    {
        var draft = Draft().Merge(PublicBody, Company).Merge(Company, Person);

        Assert.Null(draft.Model.Find(PublicBody));
        Assert.Null(draft.Model.Find(Company));
        var map = LabelMigrationMap.Of(draft.Changes);
        Assert.Equal(new LabelFate(LabelFateKind.MapTo, Person, LabelChangeKind.Merge), map.Resolve(PublicBody));
        Assert.Equal(new LabelFate(LabelFateKind.MapTo, Person, LabelChangeKind.Merge), map.Resolve(Company));
        Assert.Equal(LabelFateKind.Keep, map.Resolve(Place).Kind);
    }

    [Fact]
    public void Merge_IntoItsOwnChild_OrAnotherQuestion_IsRefused()
    {
        Assert.Throws<TaxonomyEditException>(() => Draft().Merge(Org, Company));
        Assert.Throws<TaxonomyEditException>(() => Draft().Merge(Org, Org));
        Assert.Throws<TaxonomyEditException>(() => Draft().Merge(Org, Guid.NewGuid()));
    }

    [Fact]
    public void Split_AddsTheParts_DeprecatesTheOriginal_AndSendsItsAnnotationsToRelabeling()
    {
        var draft = Draft().Split(Place, ["City", "Country", " "]);

        var place = draft.Model.Find(Place)!.Value.Label;
        Assert.True(place.IsDeprecated);
        Assert.Null(place.Hotkey);
        var split = Assert.Single(draft.Changes, c => c.Kind == LabelChangeKind.Split);
        Assert.Equal(["City", "Country"], split.Parts!.Select(k => draft.Model.Find(k)!.Value.Label.Name));
        Assert.Equal(LabelFateKind.Relabel, LabelMigrationMap.Of(draft.Changes).Resolve(Place).Kind);
        Assert.Throws<TaxonomyEditException>(() => Draft().Split(Place, ["Only one"]));
    }

    [Fact]
    public void Remove_APublishedLabel_IsRefusedWithMergeOrDeprecateOffered_ButANewOneGoes()
    {
        var refused = Assert.Throws<TaxonomyEditException>(() => Draft().Remove(Person));
        Assert.Contains("merge it into another label or deprecate it", refused.Message, StringComparison.Ordinal);

        var added = Draft().Add("entities", Org, "Charity", "#123456");
        var charity = added.Changes.Single().Key;
        var removed = added.Remove(charity);

        Assert.Null(removed.Model.Find(charity));
        Assert.Empty(removed.Changes);
    }

    [Fact]
    public void Validate_NamesEveryProblemWithItsLabel()
    {
        var model = Draft()
            .Add("entities", Org, "company", "#ffffff")     // duplicate sibling name, case-insensitive
            .Add("entities", null, "  ", "#ffffff")         // empty name
            .Add("entities", null, "Money", "red", "p")     // bad color, hotkey clash with Person
            .Model;

        var problems = TaxonomyDraft.Validate(model);

        Assert.Contains(problems, p => p.Field == "Name" && p.Message.Contains("Two labels are called \"Company\" under \"Organization\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "Name" && p.Message.Contains("has no name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "Color" && p.Message.Contains("\"Money\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field == "Hotkey" && p.Message.Contains("\"Person\" and \"Money\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_FindsACycle_InAnImportedTree()
    {
        var cyclic = new TaxonomyModel([new TaxonomyQuestion("entities", ControlKind.Spans, "Mark", false,
            [new(Org, Company, "A", "#000000"), new(Company, Org, "B", "#000000")])]);

        Assert.Equal(2, TaxonomyDraft.Validate(cyclic).Count(p => p.Message.Contains("cycle", StringComparison.Ordinal)));
    }

    [Fact]
    public void Deprecate_FreesTheHotkey_SoANewLabelMayTakeIt()
    {
        var draft = Draft().Deprecate(Person).Add("entities", null, "Customer", "#e57373", "p");

        Assert.Empty(draft.Validate());
        Assert.Equal(LabelFateKind.Relabel, LabelMigrationMap.Of(draft.Changes).Resolve(Person).Kind);
    }
}

public class LabelMigrationMapTests
{
    [Fact]
    public void Chain_FollowsMergesAcrossVersions_AndStopsAtARelabel()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid(), d = Guid.NewGuid();
        var v1to2 = LabelMigrationMap.Of([new LabelChange(LabelChangeKind.Merge, a, b), new LabelChange(LabelChangeKind.Rename, c)]);
        var v2to3 = LabelMigrationMap.Of([new LabelChange(LabelChangeKind.Merge, b, c), new LabelChange(LabelChangeKind.Deprecate, d)]);

        var chain = LabelMigrationMap.Chain([v1to2, v2to3]);

        Assert.Equal(new LabelFate(LabelFateKind.MapTo, c, LabelChangeKind.Merge), chain.Resolve(a));
        Assert.Equal(c, chain.Resolve(b).Key);
        Assert.Equal(LabelFateKind.Keep, chain.Resolve(c).Kind);
        Assert.Equal(LabelFateKind.Relabel, chain.Resolve(d).Kind);
        Assert.Equal(new LabelFate(LabelFateKind.Keep, Guid.Empty, null), LabelMigrationMap.Identity.Resolve(Guid.Empty));
    }
}

public class TaxonomyDiffTests
{
    [Fact]
    public void Between_DescribesEveryKindOfChange()
    {
        Guid org = Guid.NewGuid(), company = Guid.NewGuid(), body = Guid.NewGuid(), person = Guid.NewGuid(), place = Guid.NewGuid();
        var v1 = new TaxonomyModel([new TaxonomyQuestion("entities", ControlKind.Spans, "Mark", false,
        [
            new(org, null, "Organization", "#64b5f6", "o"), new(company, org, "Company", "#42a5f5", "c"), new(body, org, "Public body", "#1e88e5", "g"),
            new(person, null, "Person", "#e57373", "p"), new(place, null, "Place", "#81c784", "l"),
        ])]);
        var draft = TaxonomyDraft.From(1, v1)
            .Rename(person, "Individual").Move(company, null).Merge(body, org).Split(place, ["City", "Country"])
            .Describe(org, "#000000", "o", "Any named organization.", null, null);

        var diff = TaxonomyDiff.Between(v1, draft.Model, LabelMigrationMap.Of(draft.Changes)).Select(e => e.Description).ToList();

        Assert.Contains("\"Person\" renamed to \"Individual\"", diff);
        Assert.Contains("\"Company\" moved from \"Organization\" to the top level", diff);
        Assert.Contains("\"Organization / Public body\" merged into \"Organization\"", diff);
        Assert.Contains("\"Place\" split into \"City\", \"Country\"; its annotations go to relabeling", diff);
        Assert.Contains("\"City\" added", diff);
        Assert.Contains("\"Organization\": color, description or examples changed", diff);
    }

    [Fact]
    public void Add_ToAFreeTextQuestion_OrUnderARelationType_IsRefused()
    {
        var worksFor = Guid.NewGuid();
        var draft = TaxonomyDraft.From(1, new TaxonomyModel(
        [
            new TaxonomyQuestion("links", ControlKind.Relations, "Link the entities", false, [new(worksFor, null, "works for", "#5c6bc0")]),
            new TaxonomyQuestion("summary", ControlKind.FreeText, "Summarize it", true, []),
        ]));

        var text = Assert.Throws<TaxonomyEditException>(() => draft.Add("summary", null, "Short", "#9e9e9e"));
        var nested = Assert.Throws<TaxonomyEditException>(() => draft.Add("links", worksFor, "part-time", "#9e9e9e"));
        var added = draft.Add("links", null, "founded", "#9e9e9e");

        Assert.Contains("free-text question", text.Message, StringComparison.Ordinal);
        Assert.Contains("one level", nested.Message, StringComparison.Ordinal);
        Assert.Equal(["works for", "founded"], added.Model.Controls[0].Labels.Select(l => l.Name));
        Assert.Empty(added.Validate());
    }
}
