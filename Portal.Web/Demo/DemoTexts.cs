using System.Text;

namespace Portal.Web.Demo;

/// <summary>An entity in a generated text: its label path in the demo taxonomy and its offsets.</summary>
public sealed record DemoEntity(string LabelPath, int Start, int End);

public sealed record DemoText(string Text, IReadOnlyList<DemoEntity> Entities, string IntentPath, string Sentiment);

/// <summary>
/// Customer messages for the demo project, written as templates with slots and filled deterministically, so the
/// entities' offsets are known (they seed realistic annotations with realistic disagreements).
/// </summary>
public static class DemoTexts
{
    private sealed record Template(string Intent, string Sentiment, string Body);

    // Slots: {person} {company} {body} {city} {country} {product} {money} {date} {order}
    private static readonly Template[] Templates =
    [
        new("Complaint / Delivery", "Negative", "Hi, my order {order} was supposed to arrive on {date} but the tracking page still says it is waiting in {city}. I paid {money} for express shipping. Can someone from {company} tell me where my {product} actually is?"),
        new("Complaint / Delivery", "Negative", "This is the third time I am writing. The courier left the parcel with a neighbour I have never met. Order {order}, a {product}. I live in {city}, not on the moon. Please call me back — {person}."),
        new("Complaint / Delivery", "Negative", "Your driver marked order {order} as delivered on {date} at 14:05. Nobody rang the bell and there is nothing at the door. I want a replacement {product} or my {money} back."),
        new("Complaint / Delivery", "Neutral", "Order {order} arrived today, two days late, and the box was damaged although the {product} inside seems fine. Just letting you know so {company} can talk to the carrier."),
        new("Complaint / Billing", "Negative", "I was charged {money} twice for the same invoice {order}. My bank in {city} confirmed both payments went to {company}. Please refund the duplicate as soon as possible."),
        new("Complaint / Billing", "Negative", "Why does my bill show {money} when the contract I signed with {person} said the monthly price would stay the same until {date}? I expect a correction."),
        new("Complaint / Billing", "Negative", "Since {date} you keep charging me for a {product} subscription I cancelled by phone. The agent, {person}, even gave me a reference number: {order}."),
        new("Complaint / Product quality", "Negative", "The {product} I bought in your {city} store stopped charging after two weeks. For {money} I expected better. Is this a known problem?"),
        new("Complaint / Product quality", "Negative", "The zipper on the {product} broke the first time I used it. I have the receipt ({order}) and would like to know how the warranty works in {country}."),
        new("Complaint / Product quality", "Neutral", "The {product} works, but the manual only comes in German and the app asks for permissions it should not need. Please pass this on to the product team at {company}."),
        new("Refund request", "Negative", "I returned the {product} on {date} via the post office in {city}. It has been three weeks and I still have not seen the refund of {money}. Order {order}."),
        new("Refund request", "Neutral", "Hello, I would like to cancel order {order} and get a refund. I ordered the wrong size of the {product}. It has not shipped yet according to the app."),
        new("Refund request", "Neutral", "Please refund the {money} shipping fee for order {order}. Your website promised free delivery to {country} for orders above 50 euros."),
        new("Refund request", "Negative", "{person} from your support team promised me a refund of {money} on {date}. Nothing has happened since. I am considering contacting the {body}."),
        new("Question / Account", "Neutral", "How do I change the e-mail address on my account? I moved from {city} to {country} and no longer use my old work address at {company}."),
        new("Question / Account", "Neutral", "Hi, my colleague {person} left the company and we need to move her {product} licence to another user. Can you help? Our customer number is {order}."),
        new("Question / Account", "Neutral", "I cannot log in since {date}. The reset e-mail never arrives. Is there a problem with accounts registered in {country}?"),
        new("Question / Order status", "Neutral", "Could you tell me when order {order} will ship? I need the {product} before {date} for a trip to {city}."),
        new("Question / Order status", "Neutral", "Is the {product} back in stock at the {city} warehouse? The website has said 'available soon' since {date}."),
        new("Question / Order status", "Positive", "Quick question: can I still add a second {product} to order {order}? Happy to pay the difference of {money}. Thanks!"),
        new("Praise", "Positive", "I just wanted to say thank you to {person} in your {city} store. She spent half an hour helping me choose a {product} and it is perfect."),
        new("Praise", "Positive", "Order {order} arrived a day early and beautifully packed. Best shopping experience I have had with {company} so far."),
        new("Praise", "Positive", "Your support line solved my problem with the {product} in five minutes on {date}. Please pass my thanks to {person}."),
        new("Other", "Neutral", "Do you sponsor local events? Our running club in {city} is organising a charity race on {date} and we are looking for partners like {company}."),
        new("Other", "Neutral", "I am writing an article about delivery times across {country} for a consumer magazine. Could {company} comment on average delivery times in {city}?"),
        new("Complaint / Delivery", "Negative", "The {body} told me that parcels must be handed over in person. Your courier threw my {product} over the fence. Order {order}, {city}."),
        new("Complaint / Billing", "Neutral", "Invoice {order} lists a {product} I never ordered. The rest of the invoice looks correct. Please send a corrected version to {person}, our accountant."),
        new("Question / Account", "Positive", "We are opening a second office in {city} on {date}. Can we keep one account for both offices, or do we need a new contract with {company}?"),
        new("Refund request", "Negative", "I was promised a voucher worth {money} after the problems with order {order}. {person} confirmed this by phone on {date}. Where is it?"),
        new("Complaint / Product quality", "Negative", "Bought a {product} for {money} from {company}. The screen has dead pixels out of the box. Shop in {city} refuses to exchange it."),
    ];

    private static readonly string[] People =
    [
        "Maria Schneider", "Tomás Herrera", "Aisha Bello", "Jonas Lindqvist", "Priya Raman", "Lukas Novák", "Chloé Martin",
        "Daniel O'Brien", "Yuki Tanaka", "Fatima Zahra", "Peter Kowalski", "Sofia Rossi", "Mehmet Demir", "Anna Virtanen",
        "Ruth Adeyemi", "Carlos Mendes", "Ingrid Berg", "Hannah Weiss", "Oliver Grant", "Leila Haddad",
    ];

    private static readonly string[] Companies =
    [
        "Nordwind Logistics", "Brightline Telecom", "Kaufhaus Meier", "SwiftParcel", "Alder & Finch", "Helios Energy",
        "MarketHub", "Cobalt Bank", "Urban Threads", "PostExpress", "Greenleaf Foods", "Vantage Electronics",
    ];

    private static readonly string[] PublicBodies =
    [
        "consumer protection agency", "Federal Network Agency", "Office of Fair Trading", "city council", "ombudsman for postal services",
    ];

    private static readonly string[] Cities =
    [
        "Hamburg", "Lyon", "Rotterdam", "Gothenburg", "Porto", "Kraków", "Leeds", "Bologna", "Graz", "Antwerp", "Dublin",
        "Tampere", "Brno", "Seville", "Aarhus", "Zurich", "Ljubljana", "Cork",
    ];

    private static readonly string[] Countries =
    [
        "Germany", "France", "the Netherlands", "Sweden", "Portugal", "Poland", "Ireland", "Italy", "Austria", "Spain", "Denmark",
    ];

    private static readonly string[] Products =
    [
        "Aero 5 headphones", "TrailRunner backpack", "Lumen X2 desk lamp", "Nimbus 14 laptop", "Pixel frame", "FreshPress juicer",
        "Atlas rain jacket", "SoundBar 300", "Orbit smart watch", "Cedar office chair", "Flux e-scooter", "Mira espresso machine",
        "Polar thermos", "Vista 27 monitor", "Comet phone case", "fibre internet plan", "cloud storage plan",
    ];

    private static readonly string[] Dates =
    [
        "3 March", "12 April", "last Tuesday", "Friday", "1 June", "23 September", "yesterday", "the 14th", "2 November",
        "Monday morning", "18 January", "last week", "30 August",
    ];

    private static readonly (string Slot, string Label)[] Slots =
    [
        ("{person}", "Person"), ("{company}", "Organization / Company"), ("{body}", "Organization / Public body"),
        ("{city}", "Location / City"), ("{country}", "Location / Country"), ("{product}", "Product"), ("{money}", "Money"),
        ("{date}", "Date"), ("{order}", "Order number"),
    ];

    /// <summary>The same <paramref name="count"/> distinct texts for the same seed.</summary>
    public static IReadOnlyList<DemoText> Generate(int count, int seed = 20261122)
    {
        var random = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<DemoText>(count);
        var attempts = 0;
        while (result.Count < count && attempts++ < count * 20)
        {
            var template = Templates[random.Next(Templates.Length)];
            var text = Fill(template.Body, random, out var entities);
            if (seen.Add(text))
            {
                result.Add(new DemoText(text, entities, template.Intent, template.Sentiment));
            }
        }

        return result;
    }

    private static string Fill(string body, Random random, out IReadOnlyList<DemoEntity> entities)
    {
        var text = new StringBuilder();
        var found = new List<DemoEntity>();
        var position = 0;
        while (position < body.Length)
        {
            var open = body.IndexOf('{', position);
            if (open < 0)
            {
                text.Append(body, position, body.Length - position);
                break;
            }

            text.Append(body, position, open - position);
            var close = body.IndexOf('}', open);
            var slot = body[open..(close + 1)];
            var label = Slots.Single(s => s.Slot == slot).Label;
            var value = Value(slot, random);
            found.Add(new DemoEntity(label, text.Length, text.Length + value.Length));
            text.Append(value);
            position = close + 1;
        }

        entities = found;
        return text.ToString();
    }

    private static string Value(string slot, Random random) => slot switch
    {
        "{person}" => People[random.Next(People.Length)],
        "{company}" => Companies[random.Next(Companies.Length)],
        "{body}" => PublicBodies[random.Next(PublicBodies.Length)],
        "{city}" => Cities[random.Next(Cities.Length)],
        "{country}" => Countries[random.Next(Countries.Length)],
        "{product}" => Products[random.Next(Products.Length)],
        "{money}" => random.Next(3) switch
        {
            0 => $"€{random.Next(5, 900)}.{random.Next(0, 100):00}",
            1 => $"{random.Next(5, 900)} euros",
            _ => $"£{random.Next(5, 400)}",
        },
        "{date}" => Dates[random.Next(Dates.Length)],
        "{order}" => random.Next(3) switch
        {
            0 => $"#{random.Next(100000, 999999)}",
            1 => $"INV-{random.Next(2024, 2027)}-{random.Next(1000, 9999)}",
            _ => $"NW{random.Next(10000000, 99999999)}DE",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Unknown slot."),
    };
}
