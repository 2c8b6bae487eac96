namespace Portal.Core.Taxonomy;

public sealed record TemplateLabel(string Name, string Color, string? Hotkey = null, string? Description = null,
    IReadOnlyList<TemplateLabel>? Children = null)
{
    public IReadOnlyList<TemplateLabel> Children { get; init; } = Children ?? [];
}

public sealed record TemplateControl(string Name, ControlKind Kind, string Prompt, bool Required, IReadOnlyList<TemplateLabel> Labels);

public sealed record TaxonomyTemplate(string Id, string Title, string Summary, IReadOnlyList<TemplateControl> Controls);

/// <summary>Starter label sets a manager picks when creating a project; the taxonomy editor changes them later.</summary>
public static class TaxonomyTemplates
{
    public static readonly TaxonomyTemplate CustomerMessages = new(
        "customer-messages",
        "Customer messages",
        "Entities in customer e-mails and chats (nested), the message's intent and its sentiment.",
        [
            new("entities", ControlKind.Spans, "Mark the entities", false,
            [
                new("Person", "#e57373", "p", "A named individual: customer, employee, courier."),
                new("Organization", "#64b5f6", "o", "A named company, brand owner or public body.",
                [
                    new("Company", "#42a5f5", "c", "A business: retailer, carrier, bank."),
                    new("Public body", "#1e88e5", "g", "A government office, regulator or court."),
                ]),
                new("Location", "#81c784", "l", "A named place.",
                [
                    new("City", "#66bb6a", "y", "A city or town."),
                    new("Country", "#43a047", "n", "A country."),
                ]),
                new("Product", "#ffb74d", "r", "A product or service name, with model where given."),
                new("Money", "#ba68c8", "m", "An amount with its currency."),
                new("Date", "#4db6ac", "d", "A calendar date or a relative day (\"last Tuesday\")."),
                new("Order number", "#a1887f", "i", "An order, invoice or tracking reference."),
            ]),
            new("intent", ControlKind.HierarchicalChoice, "What does the customer want?", true,
            [
                new("Complaint", "#e53935", Children:
                [
                    new("Delivery", "#ef5350"),
                    new("Billing", "#f44336"),
                    new("Product quality", "#e57373"),
                ]),
                new("Refund request", "#8e24aa"),
                new("Question", "#1e88e5", Children:
                [
                    new("Account", "#42a5f5"),
                    new("Order status", "#64b5f6"),
                ]),
                new("Praise", "#43a047"),
                new("Other", "#757575"),
            ]),
            new("sentiment", ControlKind.SingleChoice, "Overall sentiment", true,
            [
                new("Negative", "#e53935", "1"),
                new("Neutral", "#9e9e9e", "2"),
                new("Positive", "#43a047", "3"),
            ]),
        ]);

    public static readonly TaxonomyTemplate NamedEntities = new(
        "named-entities",
        "Named entities (flat)",
        "Person, organization, location and miscellaneous, as in CoNLL-2003.",
        [
            new("label", ControlKind.Spans, "Mark the entities", false,
            [
                new("PER", "#e57373", "p", "Person"),
                new("ORG", "#64b5f6", "o", "Organization"),
                new("LOC", "#81c784", "l", "Location"),
                new("MISC", "#ffb74d", "m", "Other named entity"),
            ]),
        ]);

    public static readonly TaxonomyTemplate DocumentCategories = new(
        "document-categories",
        "Document categories",
        "One category per document, no spans.",
        [
            new("category", ControlKind.SingleChoice, "Which category fits best?", true,
            [
                new("Relevant", "#43a047", "1"),
                new("Not relevant", "#e53935", "2"),
                new("Unsure", "#9e9e9e", "3"),
            ]),
        ]);

    public static readonly TaxonomyTemplate EntityRelations = new(
        "entity-relations",
        "Entities, relations and a summary",
        "Mark people, companies and products, link them (\"works for\", \"makes\", \"refers to\") and write a one-line summary.",
        [
            new("entities", ControlKind.Spans, "Mark the entities", false,
            [
                new("Person", "#e57373", "p", "A named individual."),
                new("Organization", "#64b5f6", "o", "A named company or public body."),
                new("Product", "#ffb74d", "r", "A product or service name."),
            ]),
            new("relations", ControlKind.Relations, "Link the entities", false,
            [
                new("works for", "#5c6bc0", Description: "A person to the organization they work for."),
                new("makes", "#26a69a", Description: "An organization to a product it makes or sells."),
                new("refers to", "#8d6e63", Description: "Two mentions of the same thing."),
            ]),
            new("summary", ControlKind.FreeText, "Summarize the message in one sentence", true, []),
        ]);

    public static readonly IReadOnlyList<TaxonomyTemplate> All = [CustomerMessages, NamedEntities, DocumentCategories, EntityRelations];

    public static TaxonomyTemplate? Find(string id) => All.FirstOrDefault(t => t.Id == id);
}
