using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Auth;
using Portal.Web.Taxonomy;

namespace Portal.Web.Demo;

/// <summary>
/// Seeds an empty database with the demo users and the "Customer messages" project: a nested taxonomy, 320 texts,
/// the first 60 texts labeled by both demo annotators (with the slips real annotators make) and taken through
/// consensus, review and adjudication (<see cref="DemoQuality"/>), gold tasks with the people they judge (<see cref="DemoGold"/>),
/// last night's audit half worked through (<see cref="DemoAudits"/>), and rule-based pre-annotations on the rest.
/// Runs once: a database that already has demo users is left alone.
/// </summary>
public sealed class DemoSeeder(
    IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, TimeProvider clock, Review.ConsensusService consensus, ProjectAccess access,
    IServiceScopeFactory scopes, ILogger<DemoSeeder> logger)
{
    public const string ProjectName = "Customer messages";
    public const int TaskCount = 320;
    public const int LabeledTaskCount = 60;

    public static readonly IReadOnlyList<(string Key, string Name, string Email, string Roles, ProjectRole? Role)> Users =
    [
        ("admin", "Alice Admin", "alice.admin@demo.local", AppRoles.Admin, null),
        ("manager", "Morgan Manager", "morgan.manager@demo.local", AppRoles.Manager, ProjectRole.Manager),
        ("reviewer", "Riley Reviewer", "riley.reviewer@demo.local", AppRoles.User, ProjectRole.Reviewer),
        ("annotator1", "Ana Annotator", "ana.annotator@demo.local", AppRoles.User, ProjectRole.Annotator),
        ("annotator2", "Ben Annotator", "ben.annotator@demo.local", AppRoles.User, ProjectRole.Annotator),
        ("annotator3", "Chloe Annotator", "chloe.annotator@demo.local", AppRoles.User, ProjectRole.Annotator),
        ("annotator4", "Omar Annotator", "omar.annotator@demo.local", AppRoles.User, ProjectRole.Annotator),
        ("annotator5", "Eli Newcomer", "eli.newcomer@demo.local", AppRoles.User, ProjectRole.Annotator),
        ("annotator6", "Dana Annotator", "dana.annotator@demo.local", AppRoles.User, ProjectRole.Annotator),
    ];

    public async Task SeedAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Users.AnyAsync(u => u.ExternalId.StartsWith(UserDirectory.DemoPrefix), ct))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var users = Users.ToDictionary(u => u.Key, u => new User
        {
            Id = Guid.CreateVersion7(), ExternalId = UserDirectory.DemoPrefix + u.Key, DisplayName = u.Name, Email = u.Email,
            DemoAppRoles = u.Roles, CreatedAt = now,
        });
        db.Users.AddRange(users.Values);

        var (project, version) = AddProject(db, users, now);
        var labels = version.Labels.ToDictionary(l => (version.Controls.Single(c => c.Id == l.ControlId).Name, l.Path), l => l.Key);
        var texts = DemoTexts.Generate(TaskCount);
        var random = new Random(7);
        var labeled = new List<(LabelingTask Task, User User, AnnotationResult Result, DateTime SubmittedAt)>();
        var predicted = new List<(LabelingTask Task, AnnotationResult Result)>();
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            var hash = ContentHash.Of(text.Text);
            var task = new LabelingTask
            {
                ProjectId = project.Id, ExternalId = $"msg-{i + 1:0000}", Text = text.Text, ContentHash = hash,
                Priority = i % 17 == 0 ? 1 : 0, CreatedAt = now.AddMinutes(-TaskCount + i),
                TargetAnnotations = Coverage.TargetAnnotations(hash, project.AnnotatorsPerTask, project.CoveragePercent),
                MetadataJson = $$"""{"channel":"{{(i % 3 == 0 ? "chat" : "email")}}"}""",
            };
            db.Tasks.Add(task);
            if (i < LabeledTaskCount)
            {
                var submittedAt = now.AddHours(-(LabeledTaskCount - i));
                task.AssignedCount = task.SubmittedCount = 2;
                task.IsAvailable = false;
                labeled.Add((task, users["annotator1"], Careful(text, labels), submittedAt));
                labeled.Add((task, users["annotator2"], Hurried(text, labels, random), submittedAt.AddMinutes(7)));
            }
            else
            {
                predicted.Add((task, RulePrediction(text, labels)));
            }
        }

        // Task ids come from the database, so the annotations follow in a second save of the same transaction.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        foreach (var (task, user, result, submittedAt) in labeled)
        {
            db.Annotations.Add(SubmittedAnnotation(task, user, version.Id, result, submittedAt, random));
        }

        foreach (var (task, result) in predicted)
        {
            db.Predictions.Add(new Prediction { TaskId = task.Id, ModelVersion = "rules-v1 (amounts, order numbers, dates)", ResultJson = result.ToJson(), CreatedAt = now });
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        var byText = texts.ToDictionary(t => t.Text);
        await new DemoQuality(factory, labelSets, consensus, access, clock).RunAsync(project.Id, users, task => Careful(byText[task.Text], labels), ct);
        await new DemoGold(factory, scopes).RunAsync(project.Id, users, task => Careful(byText[task.Text], labels), ct);
        await new DemoAudits(scopes, clock).RunAsync(project.Id, users, task => Careful(byText[task.Text], labels), ct);
        await new DemoDrift(factory, scopes, clock).RunAsync(project.Id, users, task => Careful(byText[task.Text], labels), ct);
        await ScheduleWeeklyReportAsync(project.Id, users["manager"], ct);
        logger.LogInformation("Seeded the demo: {Users} users, project \"{Project}\" with {Tasks} tasks.", users.Count, ProjectName, texts.Count);
    }

    /// <summary>
    /// The customer messages label set with two optional questions last, so a newcomer sees links between spans and a
    /// written answer; optional and after the choices, so the seeded work (which has neither) stays complete.
    /// </summary>
    public static readonly TaxonomyTemplate Template = TaxonomyTemplates.CustomerMessages with
    {
        Controls =
        [
            .. TaxonomyTemplates.CustomerMessages.Controls,
            new("links", ControlKind.Relations, "Link the entities (optional)", false,
            [
                new("works for", "#5c6bc0", Description: "A person to the company they work for."),
                new("ordered", "#26a69a", Description: "A person to the product or order number they ordered."),
                new("same as", "#8d6e63", Description: "Two mentions of the same person, company or product."),
            ]),
            new("summary", ControlKind.FreeText, "Anything the next team should know? (optional)", false, []),
        ],
    };

    /// <summary>The demo project with its members, label set v1 and guidelines, added to the context (not yet saved).</summary>
    private static (Project Project, TaxonomyVersion Version) AddProject(PortalDbContext db, Dictionary<string, User> users, DateTime now)
    {
        var manager = users["manager"];
        var project = new Project
        {
            Id = Guid.CreateVersion7(), Name = ProjectName, CreatedAt = now, CreatedById = manager.Id,
            Description = "Incoming customer e-mails and chat messages: mark people, companies, places, products, amounts, dates and order numbers; classify intent and sentiment.",
            AnnotatorsPerTask = 2,
            ShowGoldFeedback = true, OnboardingGoldTasks = 3, OnboardingThreshold = 0.7, AutoPauseWindow = 3, AutoPauseThreshold = 0.6,
        };
        foreach (var u in Users.Where(u => u.Role is not null))
        {
            project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = users[u.Key].Id, Role = u.Role!.Value, AddedAt = now });
        }

        var taxonomy = new Data.Entities.Taxonomy { Id = Guid.CreateVersion7(), ProjectId = project.Id };
        var version = TaxonomyVersionFactory.FromTemplate(Template, taxonomy.Id, 1, manager.Id, now);
        taxonomy.Versions.Add(version);
        taxonomy.CurrentVersionId = version.Id;
        project.Taxonomy = taxonomy;
        db.Projects.Add(project);
        db.GuidelineVersions.Add(new GuidelineVersion
        {
            Id = Guid.CreateVersion7(), ProjectId = project.Id, Number = 1, CreatedAt = now, CreatedById = manager.Id,
            Markdown = """
                # Customer messages

                Mark every **named** entity; do not mark pronouns or generic words ("the courier", "your shop").
                Include titles and model names in products ("Nimbus 14 laptop"), currency symbols in money, and the
                whole reference in order numbers ("INV-2025-1234"). Then choose the customer's main intent and the
                overall sentiment. If a message is not a customer message at all, skip it with a reason.
                """,
            ReviewerInstructions = "Accept when every entity is marked with the right label and boundaries within a token; reject with a comment naming the first problem you see.",
        });
        return (project, version);
    }

    /// <summary>What a simple rule set finds: amounts, order numbers and dates (the regular, easy entities).</summary>
    private static AnnotationResult RulePrediction(DemoText text, IReadOnlyDictionary<(string, string), Guid> labels) => new(
        [.. text.Entities.Where(e => e.LabelPath is "Money" or "Order number" or "Date")
            .Select(e => new SpanValue("entities", labels[("entities", e.LabelPath)], e.Start, e.End))],
        []);

    private static AnnotationResult Careful(DemoText text, IReadOnlyDictionary<(string, string), Guid> labels) => new(
        [.. text.Entities.Select(e => new SpanValue("entities", labels[("entities", e.LabelPath)], e.Start, e.End))],
        [new AnswerValue("intent", labels[("intent", text.IntentPath)]), new AnswerValue("sentiment", labels[("sentiment", text.Sentiment)])]);

    /// <summary>The second annotator misses spans, picks parent labels, clips boundaries and misreads the mood now and then.</summary>
    private static AnnotationResult Hurried(DemoText text, IReadOnlyDictionary<(string, string), Guid> labels, Random random)
    {
        var spans = new List<SpanValue>();
        foreach (var e in text.Entities)
        {
            var roll = random.NextDouble();
            if (roll < 0.08)
            {
                continue;
            }

            var path = roll < 0.16 && e.LabelPath.Contains(" / ", StringComparison.Ordinal) ? e.LabelPath[..e.LabelPath.IndexOf(" / ", StringComparison.Ordinal)] : e.LabelPath;
            var start = e.Start;
            var end = e.End;
            if (roll is > 0.16 and < 0.22 && text.Text[start..end].IndexOf(' ', StringComparison.Ordinal) is > 0 and var space)
            {
                end = start + space;
            }

            spans.Add(new SpanValue("entities", labels[("entities", path)], start, end));
        }

        var intent = random.NextDouble() < 0.15 && text.IntentPath.Contains(" / ", StringComparison.Ordinal) ? "Other" : text.IntentPath;
        var sentiment = random.NextDouble() < 0.12 ? "Neutral" : text.Sentiment;
        return new AnnotationResult(spans, [new AnswerValue("intent", labels[("intent", intent)]), new AnswerValue("sentiment", labels[("sentiment", sentiment)])]);
    }

    /// <summary>Work submitted at <paramref name="submittedAt"/> under label set <paramref name="versionId"/> and the first guidelines, with its history.</summary>
    internal static Annotation SubmittedAnnotation(LabelingTask task, User user, Guid versionId, AnnotationResult result, DateTime submittedAt, Random random) => new()
    {
        ProjectId = task.ProjectId, TaskId = task.Id, UserId = user.Id, TaxonomyVersionId = versionId, LabeledUnderVersionId = versionId, GuidelineNumber = 1,
        Status = AnnotationStatus.Submitted, LeadTimeMs = random.Next(20_000, 140_000), CreatedAt = submittedAt.AddMinutes(-2), UpdatedAt = submittedAt, SubmittedAt = submittedAt,
        Spans = [.. result.Spans.Select(s => new AnnotationSpan { ControlName = s.Control, LabelKey = s.Label, Start = s.Start, End = s.End })],
        Answers = [.. result.Answers.Select(a => new AnnotationAnswer { ControlName = a.Control, LabelKey = a.Label })],
        Revisions =
        [
            new AnnotationRevision
            {
                Number = 1, ChangedAt = submittedAt, ChangedById = user.Id, Reason = RevisionReason.Submit, Status = AnnotationStatus.Submitted,
                TaxonomyVersionId = versionId, ResultJson = result.ToJson(),
            },
        ],
    };

    /// <summary>Morgan's weekly report, Fridays at 15:00 UTC with every sheet, so the Reports page shows a schedule.</summary>
    private async Task ScheduleWeeklyReportAsync(Guid projectId, User manager, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var schedules = scope.ServiceProvider.GetRequiredService<Reports.ReportScheduleService>();
        var morgan = new PortalPrincipal(manager.Id, manager.DisplayName, new HashSet<string> { AppRoles.Manager });
        await schedules.SaveAsync(morgan, projectId, null,
            new Reports.ReportScheduleInput(ReportFrequency.Weekly, DayOfWeek.Friday, 15 * 60, Enum.GetValues<Portal.Core.Reports.ReportPart>(), Enabled: true), null, ct);
    }
}
