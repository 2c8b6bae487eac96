using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Jobs;

namespace Portal.Web.Demo;

/// <summary>
/// Last night's audit through the real services: the nightly run samples the work submitted before today, and the QA lead
/// has worked through every other item, judging each item against the text's true entities and answers, so the results page,
/// the scorecards and the annotators' own feedback have figures, and the queue still has work waiting.
/// </summary>
internal sealed class DemoAudits(IServiceScopeFactory scopes, TimeProvider clock)
{
    public const string GuidelineGapNote = "Is a product family without a model (\"your laptops\") a Product? The guidelines only speak of model names.";

    public async Task RunAsync(Guid projectId, IReadOnlyDictionary<string, User> users, Func<LabelingTask, AnnotationResult> careful, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await scope.ServiceProvider.GetRequiredService<AuditRunService>().RunAsync(projectId, RunKeys.Night(today), AuditTrigger.Nightly, null, ct);

        var queue = scope.ServiceProvider.GetRequiredService<AuditQueueService>();
        var lead = new PortalPrincipal(users["reviewer"].Id, users["reviewer"].DisplayName, new HashSet<string> { AppRoles.User });
        // Every other item, so each annotator has verdicts and work still waiting.
        var gapNoted = false;
        long? after = null;
        for (var i = 0; await queue.NextAsync(lead, projectId, after, ct) is { } item; i++)
        {
            after = item.SampleId;
            if (i % 2 == 1)
            {
                continue;
            }

            var errors = Compare(careful(new LabelingTask { Text = item.Text, ContentHash = "" }), item.Result);
            if (!gapNoted && errors.Count > 0)
            {
                errors.Add(new AuditErrorInput(AuditErrorType.GuidelineGap, Note: GuidelineGapNote));
                gapNoted = true;
            }

            var verdict = errors.Count == 0 ? AuditVerdictInput.Correct() : AuditVerdictInput.WithErrors([.. errors]);
            await queue.RecordAsync(lead, projectId, item.SampleId, verdict, item.Version, ct);
        }
    }

    /// <summary>The QA lead's reading of the work against the true answer: a label, boundary, missed or spurious span, a wrong answer.</summary>
    private static List<AuditErrorInput> Compare(AnnotationResult truth, AnnotationResult work)
    {
        var errors = new List<AuditErrorInput>();
        foreach (var expected in truth.Spans.Where(s => !work.Spans.Contains(s)))
        {
            var overlapping = work.Spans.Where(w => w.Control == expected.Control && w.Start < expected.End && expected.Start < w.End).Take(1).ToList();
            var near = overlapping.FirstOrDefault();
            errors.Add(overlapping.Count == 0
                ? new AuditErrorInput(AuditErrorType.MissedSpan, expected.Control, expected.Label, expected.Start, expected.End)
                : near.Label == expected.Label
                    ? new AuditErrorInput(AuditErrorType.Boundary, near.Control, near.Label, near.Start, near.End, "Mark the whole name.")
                    : new AuditErrorInput(AuditErrorType.WrongLabel, near.Control, near.Label, near.Start, near.End));
        }

        errors.AddRange(work.Spans.Where(w => !truth.Spans.Any(t => t.Control == w.Control && t.Start < w.End && w.Start < t.End))
            .Select(w => new AuditErrorInput(AuditErrorType.SpuriousSpan, w.Control, w.Label, w.Start, w.End)));
        errors.AddRange(work.Answers.Where(a => !truth.Answers.Contains(a))
            .Select(a => new AuditErrorInput(AuditErrorType.WrongLabel, a.Control, a.Label)));
        return errors;
    }
}
