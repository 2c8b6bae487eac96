using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Auth;

namespace Portal.Web.Taxonomy;

/// <summary>
/// The taxonomy editor's server side: a draft per project, an impact preview, and publishing an immutable version
/// that migrates existing work (DESIGN.md, "Taxonomy and its versions"). Rename, move and merge migrate annotations
/// (each gets a revision "taxonomy vN -> vN+1"); split and deprecate send submitted work back to its annotator to
/// relabel; drafts move to the new version and keep every span. Managers and admins only; every change is audited.
/// </summary>
public sealed class TaxonomyService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TaxonomyEditorState> LoadAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var taxonomy = await db.Taxonomies.AsNoTracking().SingleAsync(t => t.ProjectId == projectId, ct);
        var versions = await db.TaxonomyVersions.AsNoTracking().Where(v => v.TaxonomyId == taxonomy.Id).OrderByDescending(v => v.Number)
            .Select(v => new VersionInfo(v.Id, v.Number, v.PublishedAt, db.Users.Where(u => u.Id == v.PublishedById).Select(u => u.DisplayName).FirstOrDefault() ?? "someone", v.Notes))
            .ToListAsync(ct);
        var current = versions.Single(v => v.Id == taxonomy.CurrentVersionId);
        var name = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
        var draft = taxonomy.DraftJson is { } json
            ? JsonSerializer.Deserialize<DraftDocument>(json, Json)!.ToDraft()
            : TaxonomyDraft.From(current.Number, await ModelAsync(db, current.Id, ct));
        return new TaxonomyEditorState(name, draft, taxonomy.DraftJson is not null, taxonomy.Version, current.Number, versions);
    }

    /// <summary>The labels of one published version as the editor and the diff read them (deprecated ones included).</summary>
    public static async Task<TaxonomyModel> ModelAsync(PortalDbContext db, Guid versionId, CancellationToken ct)
    {
        var controls = await db.TaxonomyControls.AsNoTracking().Where(c => c.TaxonomyVersionId == versionId).OrderBy(c => c.SortOrder).ToListAsync(ct);
        var labels = await db.Labels.AsNoTracking().Where(l => l.TaxonomyVersionId == versionId).OrderBy(l => l.SortOrder).ToListAsync(ct);
        return new TaxonomyModel([.. controls.Select(c => new TaxonomyQuestion(c.Name, c.Kind, c.Prompt, c.Required,
            TaxonomyModel.TreeOrder([.. labels.Where(l => l.ControlId == c.Id).Select(l => new TaxonomyLabel(
                l.Key, l.ParentKey, l.Name, l.Color, l.Hotkey, l.Description, l.Examples, l.CounterExamples, l.IsDeprecated))])))]);
    }

    /// <summary>Saves the draft; returns the new concurrency version. A draft from a stale page is a conflict.</summary>
    public async Task<int> SaveDraftAsync(PortalPrincipal user, Guid projectId, TaxonomyDraft draft, int expectedVersion, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var taxonomy = await db.Taxonomies.SingleAsync(t => t.ProjectId == projectId, ct);
        await CheckBaseAsync(db, taxonomy, draft, expectedVersion, ct);
        taxonomy.DraftJson = JsonSerializer.Serialize(DraftDocument.Of(draft), Json);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "taxonomy.draft.save", "Taxonomy", taxonomy.Id.ToString(), projectId, $"{draft.Changes.Count} change(s)"));
        await SaveAsync(db, ct);
        return taxonomy.Version;
    }

    public async Task DiscardDraftAsync(PortalPrincipal user, Guid projectId, int expectedVersion, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var taxonomy = await db.Taxonomies.SingleAsync(t => t.ProjectId == projectId, ct);
        if (taxonomy.Version != expectedVersion)
        {
            throw new ConflictException("Someone else changed this taxonomy meanwhile. Reload to see their draft.");
        }

        taxonomy.DraftJson = null;
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "taxonomy.draft.discard", "Taxonomy", taxonomy.Id.ToString(), projectId));
        await SaveAsync(db, ct);
    }

    /// <summary>For each recorded change of the saved draft: how much existing work it touches and what will happen to it.</summary>
    public async Task<IReadOnlyList<ChangeImpact>> ImpactAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        var state = await LoadAsync(user, projectId, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var published = TaxonomyDraft.From(state.CurrentNumber, await ModelAsync(db, state.Versions.Single(v => v.Number == state.CurrentNumber).Id, ct)).Model;
        var draft = state.Draft;
        var impacts = new List<ChangeImpact>();
        foreach (var change in draft.Changes)
        {
            var path = published.Find(change.Key) is not null ? published.PathOf(change.Key) : draft.Model.PathOf(change.Key);
            var (description, effect) = change.Kind switch
            {
                LabelChangeKind.Add => ($"Add \"{path}\"", "Nothing changes in existing work."),
                LabelChangeKind.Rename => ($"Rename \"{path}\" to \"{draft.Model.Find(change.Key)?.Label.Name}\"", "Annotations keep the label under its new name; each gets a history entry."),
                LabelChangeKind.Move => ($"Move \"{path}\" to \"{draft.Model.PathOf(change.Key)}\"", "Annotations keep the label at its new place; each gets a history entry."),
                LabelChangeKind.Merge => ($"Merge \"{path}\" into \"{draft.Model.PathOf(change.Into!.Value)}\"", "Annotations and ground truth move to the target label; each annotation gets a history entry."),
                LabelChangeKind.Split => ($"Split \"{path}\" into {string.Join(", ", (change.Parts ?? []).Select(p => $"\"{draft.Model.PathOf(p)}\""))}", "Submitted work goes back to its annotators to choose one of the new labels; drafts keep the old label, marked."),
                _ => ($"Deprecate \"{path}\"", "Submitted work goes back to its annotators to relabel; drafts keep the old label, marked."),
            };
            if (change.Kind == LabelChangeKind.Add)
            {
                impacts.Add(new ChangeImpact(change.Kind, description, effect, 0, 0, 0, 0));
                continue;
            }

            impacts.Add(await ImpactOfAsync(db, projectId, change.Kind, change.Key, description, effect, ct));
        }

        // Guideline texts change no annotation, but work labeled under the old definition is listed by the drift check.
        foreach (var edited in draft.Model.AllLabels.Where(l => published.Find(l.Label.Key) is { } before && !Text(before.Label).SameAs(Text(l.Label))))
        {
            impacts.Add(await ImpactOfAsync(db, projectId, null, edited.Label.Key, $"Edit the definition of \"{draft.Model.PathOf(edited.Label.Key)}\"",
                "Annotators see the new definition (its next version number). Work labeled under the old one stays, and is listed for relabeling or confirmation.", ct));
        }

        return impacts;
    }

    private static DefinitionText Text(TaxonomyLabel label) => new(label.Description, label.Examples, label.CounterExamples);

    private static async Task<ChangeImpact> ImpactOfAsync(
        PortalDbContext db, Guid projectId, LabelChangeKind? kind, Guid key, string description, string effect, CancellationToken ct)
    {
        var touched = db.Annotations.Where(a => a.ProjectId == projectId && a.Status != AnnotationStatus.Skipped &&
            (a.Spans.Any(s => s.LabelKey == key) || a.Answers.Any(x => x.LabelKey == key)));
        var counts = await touched.GroupBy(a => 1).Select(g => new
        {
            Annotations = g.Count(a => a.Status != AnnotationStatus.Draft),
            Drafts = g.Count(a => a.Status == AnnotationStatus.Draft),
            Tasks = g.Select(a => a.TaskId).Distinct().Count(),
        }).SingleOrDefaultAsync(ct);
        var text = key.ToString();
        var truths = await db.GroundTruths.CountAsync(g => g.ProjectId == projectId && g.ResultJson.Contains(text), ct);
        return new ChangeImpact(kind, description, effect, counts?.Annotations ?? 0, counts?.Tasks ?? 0, truths, counts?.Drafts ?? 0);
    }

    /// <summary>
    /// Publishes the saved draft as version N+1 and migrates existing work in the same transaction: every annotation
    /// either keeps its labels, moves to the merge target, or goes back to its annotator to relabel; none is dropped.
    /// </summary>
    public async Task<int> PublishAsync(PortalPrincipal user, Guid projectId, int expectedVersion, string? notes, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var taxonomy = await db.Taxonomies.SingleAsync(t => t.ProjectId == projectId, ct);
        if (taxonomy.DraftJson is null)
        {
            throw new ValidationException([("Draft", "There is nothing to publish: the draft has no changes.")]);
        }

        var draft = JsonSerializer.Deserialize<DraftDocument>(taxonomy.DraftJson, Json)!.ToDraft();
        var current = await db.TaxonomyVersions.SingleAsync(v => v.Id == taxonomy.CurrentVersionId, ct);
        await CheckBaseAsync(db, taxonomy, draft, expectedVersion, ct);
        var problems = draft.Validate();
        if (problems.Count > 0)
        {
            throw new ValidationException([.. problems.Select(p => (p.Field, p.Message))]);
        }

        // The definition history must hold the versions before this one first, so this publish adds only its own edits.
        await LabelDefinitions.EnsureAsync(db, projectId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var version = NewVersion(draft.Model, taxonomy.Id, current.Number + 1, user.UserId, now, string.IsNullOrWhiteSpace(notes) ? null : notes.Trim());
        db.TaxonomyVersions.Add(version);
        foreach (var change in LabelMigrationMap.Of(draft.Changes).Changes.Where(c => c.Kind != LabelChangeKind.Add))
        {
            db.LabelMigrations.Add(new LabelMigration
            {
                FromVersionId = current.Id, ToVersionId = version.Id, Kind = change.Kind, FromLabelKey = change.Key, ToLabelKey = change.Kind == LabelChangeKind.Merge ? change.Into : null,
            });
        }

        taxonomy.CurrentVersionId = version.Id;
        taxonomy.DraftJson = null;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var migrated = await MigrateWorkAsync(db, projectId, draft, current, version, user, now, ct);
        var definitions = await LabelDefinitions.RecordAsync(db, projectId, version, ct);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "taxonomy.publish", "TaxonomyVersion", version.Id.ToString(), projectId,
            $"v{current.Number} -> v{version.Number}: {draft.Changes.Count} change(s); {migrated.Migrated} annotation(s) migrated, {migrated.Relabel} sent to relabeling, {definitions} label definition(s) new or edited"));
        await AnnotationStore.SaveAsync(db, ct);

        // Drafts that no change touched simply continue on the new label set (after the version row exists). Their
        // content is unchanged, so their version stays: an open labeling page keeps saving without a conflict.
        var draftStatus = AnnotationStatus.Draft;
        var fromId = current.Id;
        var toId = version.Id;
        await db.Annotations.Where(a => a.ProjectId == projectId && a.Status == draftStatus && a.TaxonomyVersionId == fromId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.TaxonomyVersionId, toId), ct);
        await tx.CommitAsync(ct);
        return version.Number;
    }

    private async Task<(int Migrated, int Relabel)> MigrateWorkAsync(
        PortalDbContext db, Guid projectId, TaxonomyDraft draft, TaxonomyVersion from, TaxonomyVersion to, PortalPrincipal user, DateTime now, CancellationToken ct)
    {
        var map = LabelMigrationMap.Of(draft.Changes);
        var changed = map.Changes.Where(c => c.Kind != LabelChangeKind.Add).Select(c => c.Key).ToList();
        var before = await ModelAsync(db, from.Id, ct);
        var reason = $"taxonomy v{from.Number} -> v{to.Number}";
        var annotations = await db.Annotations.Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
            .Where(a => a.ProjectId == projectId && a.Status != AnnotationStatus.Skipped &&
                (a.Spans.Any(s => changed.Contains(s.LabelKey)) || a.Answers.Any(x => changed.Contains(x.LabelKey))))
            .ToListAsync(ct);
        int migrated = 0, relabel = 0;
        var whole = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
        foreach (var annotation in annotations)
        {
            var result = whole[annotation.Id];
            var keys = result.Spans.Select(s => s.Label).Concat(result.Answers.Select(a => a.Label)).Distinct().ToList();
            var fates = keys.ToDictionary(k => k, map.Resolve);
            SpanValue Moved(SpanValue s) => s with { Label = fates[s.Label].Key };
            // Relations name their spans by label, so they follow the spans; relation types keep their own keys here
            // (a merged relation type is resolved like any label).
            var updated = new AnnotationResult(
                [.. result.Spans.Select(Moved).Distinct()],
                [.. result.Answers.Select(a => a with { Label = fates[a.Label].Key }).Distinct()])
            {
                Texts = result.Texts,
                Relations = [.. result.Relations.Select(r => r with { From = Moved(r.From), To = Moved(r.To), Label = r.Label is { } t ? map.Resolve(t).Key : null }).Distinct()],
            };
            var what = string.Join("; ", keys.Where(k => fates[k].Because is not null).Select(k => Describe(before, draft.Model, k, fates[k])));
            var toRelabel = keys.Where(k => fates[k].Kind == LabelFateKind.Relabel).ToList();

            annotation.TaxonomyVersionId = to.Id;
            annotation.UpdatedAt = now;
            if (toRelabel.Count > 0 && annotation.Status is AnnotationStatus.Submitted or AnnotationStatus.Accepted)
            {
                // Back to its annotator, first in their queue, with what to do; consensus waits for the fix.
                annotation.Status = AnnotationStatus.Rejected;
                annotation.ReviewRequested = false;
                annotation.ReviewComment = $"The label set changed ({reason}): {what}. Choose a current label for the marked spans and submit again.";
            }

            AnnotationStore.Record(db, annotation, user.UserId, now, updated, RevisionReason.TaxonomyMigration, $"{reason}: {what}");
            foreach (var key in toRelabel)
            {
                db.RelabelItems.Add(new RelabelItem
                {
                    ProjectId = projectId, TaskId = annotation.TaskId, AnnotationId = annotation.Id, AssignedToUserId = annotation.UserId,
                    Reason = reason, Context = Describe(before, draft.Model, key, fates[key]), CreatedAt = now,
                });
            }

            if (toRelabel.Count > 0)
            {
                relabel++;
            }
            else
            {
                migrated++;
            }
        }

        // Ground truth follows merges; split and deprecated labels in it stay as decided (the impact preview counts them).
        var merges = map.Changes.Where(c => c.Kind == LabelChangeKind.Merge).Select(c => c.Key.ToString()).ToList();
        if (merges.Count > 0)
        {
            var truths = await db.GroundTruths.Where(g => g.ProjectId == projectId).ToListAsync(ct);
            foreach (var truth in truths.Where(t => merges.Any(m => t.ResultJson.Contains(m, StringComparison.Ordinal))))
            {
                var result = AnnotationResult.FromJson(truth.ResultJson);
                truth.ResultJson = new AnnotationResult(
                    [.. result.Spans.Select(s => s with { Label = map.Resolve(s.Label).Key }).Distinct()],
                    [.. result.Answers.Select(a => a with { Label = map.Resolve(a.Label).Key }).Distinct()]).ToJson();
                truth.TaxonomyVersionId = to.Id;
            }
        }

        return (migrated, relabel);
    }

    private static string Describe(TaxonomyModel before, TaxonomyModel after, Guid key, LabelFate fate) => fate.Because switch
    {
        LabelChangeKind.Merge => $"\"{before.PathOf(key)}\" merged into \"{after.PathOf(fate.Key)}\"",
        LabelChangeKind.Split => $"\"{before.PathOf(key)}\" was split",
        LabelChangeKind.Deprecate => $"\"{before.PathOf(key)}\" is no longer used",
        LabelChangeKind.Rename => $"\"{before.PathOf(key)}\" renamed to \"{after.PathOf(key)}\"",
        LabelChangeKind.Move => $"\"{before.PathOf(key)}\" moved to \"{after.PathOf(key)}\"",
        _ => $"\"{after.PathOf(key)}\"",
    };

    /// <summary>What changed between two published versions, or from a version to the draft (<paramref name="toNumber"/> null).</summary>
    public async Task<IReadOnlyList<TaxonomyDiffEntry>> DiffAsync(PortalPrincipal user, Guid projectId, int fromNumber, int? toNumber, CancellationToken ct)
    {
        var state = await LoadAsync(user, projectId, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var from = state.Versions.SingleOrDefault(v => v.Number == fromNumber) ?? throw new NotFoundException($"Version {fromNumber}");
        if (toNumber is null)
        {
            var chainToCurrent = await MapAsync(db, state.Versions, fromNumber, state.CurrentNumber, ct);
            return TaxonomyDiff.Between(await ModelAsync(db, from.Id, ct), state.Draft.Model,
                LabelMigrationMap.Chain([chainToCurrent, LabelMigrationMap.Of(state.Draft.Changes)]));
        }

        var to = state.Versions.SingleOrDefault(v => v.Number == toNumber) ?? throw new NotFoundException($"Version {toNumber}");
        return TaxonomyDiff.Between(await ModelAsync(db, from.Id, ct), await ModelAsync(db, to.Id, ct), await MapAsync(db, state.Versions, fromNumber, to.Number, ct));
    }

    /// <summary>The migration map from one version to a later one, chained version by version (for diffs and agreement).</summary>
    public static async Task<LabelMigrationMap> MapAsync(PortalDbContext db, IReadOnlyList<VersionInfo> versions, int fromNumber, int toNumber, CancellationToken ct)
    {
        var steps = versions.Where(v => v.Number > fromNumber && v.Number <= toNumber).OrderBy(v => v.Number).Select(v => v.Id).ToList();
        var rows = await db.LabelMigrations.AsNoTracking().Where(m => steps.Contains(m.ToVersionId)).ToListAsync(ct);
        return LabelMigrationMap.Chain(steps.Select(step => LabelMigrationMap.Of(rows.Where(r => r.ToVersionId == step)
            .Select(r => new LabelChange(r.Kind, r.FromLabelKey, r.ToLabelKey)))));
    }

    private static TaxonomyVersion NewVersion(TaxonomyModel model, Guid taxonomyId, int number, Guid publishedBy, DateTime now, string? notes)
    {
        var version = new TaxonomyVersion { Id = Guid.CreateVersion7(), TaxonomyId = taxonomyId, Number = number, PublishedAt = now, PublishedById = publishedBy, Notes = notes };
        var order = 0;
        foreach (var (question, index) in model.Controls.Select((c, i) => (c, i)))
        {
            var control = new TaxonomyControl
            {
                Id = Guid.CreateVersion7(), TaxonomyVersionId = version.Id, Name = question.Name, Kind = question.Kind, Prompt = question.Prompt,
                Required = question.Required, SortOrder = index,
            };
            version.Controls.Add(control);
            foreach (var label in TaxonomyModel.TreeOrder(question.Labels))
            {
                version.Labels.Add(new Label
                {
                    Id = Guid.CreateVersion7(), TaxonomyVersionId = version.Id, ControlId = control.Id, Key = label.Key, ParentKey = label.ParentKey,
                    Name = label.Name, Path = model.PathOf(label.Key), Color = label.Color, Hotkey = label.Hotkey, Description = label.Description,
                    Examples = label.Examples, CounterExamples = label.CounterExamples, SortOrder = order++, IsDeprecated = label.IsDeprecated,
                });
            }
        }

        return version;
    }

    /// <summary>
    /// A draft must start from the current version and keep every published label (or merge it away): a page open
    /// before someone else published, or a hand-made draft that drops labels in use, is refused.
    /// </summary>
    private static async Task CheckBaseAsync(PortalDbContext db, Data.Entities.Taxonomy taxonomy, TaxonomyDraft draft, int expectedVersion, CancellationToken ct)
    {
        var current = await db.TaxonomyVersions.AsNoTracking().Where(v => v.Id == taxonomy.CurrentVersionId).Select(v => new { v.Id, v.Number }).SingleAsync(ct);
        if (taxonomy.Version != expectedVersion || draft.BaseVersion != current.Number)
        {
            throw new ConflictException("Someone else changed or published this taxonomy meanwhile. Reload to continue from their version; your last edit was not saved.");
        }

        var published = await db.Labels.AsNoTracking().Where(l => l.TaxonomyVersionId == current.Id).Select(l => l.Key).ToListAsync(ct);
        var merged = draft.Changes.Where(c => c.Kind == LabelChangeKind.Merge).Select(c => c.Key).ToHashSet();
        var lost = published.Where(k => draft.Model.Find(k) is null && !merged.Contains(k)).ToList();
        if (lost.Count > 0 || !draft.Published.SetEquals(published))
        {
            throw new ValidationException([("Draft", "The draft drops published labels that annotations may use; merge or deprecate them instead.")]);
        }
    }

    private static async Task SaveAsync(PortalDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone else changed this taxonomy at the same moment. Reload to see their version; your last edit was not saved.");
        }
    }
}
