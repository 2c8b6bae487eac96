using System.Runtime.CompilerServices;

namespace Portal.Core.ImportExport;

/// <summary>One element of a top-level JSON array: its UTF-8 bytes, or why it has none (too large, the file is not an array).</summary>
internal readonly record struct JsonArrayElement(int Index, long Line, ReadOnlyMemory<byte> Bytes, string? Error);

/// <summary>
/// Splits a JSON array into its elements in one pass, holding only the current element (at most <c>maxBytes</c>): an element
/// past the limit is skipped to its end and reported, never built whole, so a 120 MB task costs 4 MB, not 720 MB. Elements
/// are only cut out here; each is then parsed (and its syntax checked) on its own.
/// </summary>
internal static class JsonArrayElements
{
    private enum State
    {
        BeforeArray,
        BeforeElement,
        InElement,
        AfterArray,
    }

    public static async IAsyncEnumerable<JsonArrayElement> ReadAsync(Stream stream, int maxBytes, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var element = new MemoryStream();
        var (state, depth, inString, escaped, tooLarge) = (State.BeforeArray, 0, false, false, false);
        long line = 1, elementLine = 0;
        var index = 0;
        var first = true;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var start = first && read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            first = false;
            var from = start;
            for (var i = start; i < read; i++)
            {
                var b = buffer[i];
                if (b == (byte)'\n')
                {
                    line++;
                }

                switch (state)
                {
                    case State.BeforeArray when IsSpace(b):
                    case State.AfterArray when IsSpace(b):
                        continue;
                    case State.BeforeArray when b == (byte)'[':
                        state = State.BeforeElement;
                        continue;
                    case State.BeforeArray:
                        yield return new JsonArrayElement(0, line, default, "not valid JSON: a JSON file must be one array of tasks, starting with [");
                        yield break;
                    case State.AfterArray:
                        yield return new JsonArrayElement(index, line, default, "not valid JSON: there is more after the array's closing ]");
                        yield break;
                    case State.BeforeElement when IsSpace(b):
                        continue;
                    case State.BeforeElement when b == (byte)']' && index == 0:
                        state = State.AfterArray;
                        continue;
                    case State.BeforeElement:
                        (state, depth, inString, escaped, tooLarge, elementLine, from) = (State.InElement, 0, false, false, false, line, i);
                        index++;
                        element.SetLength(0);
                        break;
                }

                if (EndsElement(b, ref depth, ref inString, ref escaped))
                {
                    Append(element, buffer, from, i, maxBytes, ref tooLarge);
                    yield return Finish(index, elementLine, element, tooLarge, maxBytes);
                    state = b == (byte)',' ? State.BeforeElement : State.AfterArray;
                }
            }

            if (state == State.InElement)
            {
                Append(element, buffer, from, read, maxBytes, ref tooLarge);
            }
        }

        if (EndMessage(state, index, depth, inString) is { } end)
        {
            yield return new JsonArrayElement(index, line, default, end);
        }
    }

    /// <summary>
    /// One byte inside an element: strings are opaque; true when the byte ends the element (a comma or the array's ] outside
    /// any nesting).
    /// </summary>
    private static bool EndsElement(byte b, ref int depth, ref bool inString, ref bool escaped)
    {
        if (inString)
        {
            (escaped, inString) = escaped ? (false, true) : (b == (byte)'\\', b != (byte)'"');
            return false;
        }

        switch (b)
        {
            case (byte)'"':
                inString = true;
                return false;
            case (byte)'{' or (byte)'[':
                depth++;
                return false;
            case (byte)'}' or (byte)']' when depth > 0:
                depth--;
                return false;
            default:
                return b is (byte)',' or (byte)']' && depth == 0;
        }
    }

    private static string? EndMessage(State state, int index, int depth, bool inString) => state switch
    {
        State.BeforeArray => "the file has no tasks (it is empty).",
        State.AfterArray when index == 0 => "the file has no tasks (an empty array).",
        State.AfterArray => null,
        State.InElement when depth == 0 && !inString => "not valid JSON: the file ends inside the array (no closing ])",
        State.InElement => $"not valid JSON: the file ends inside task #{index} (a bracket or quote is not closed)",
        _ => "not valid JSON: the file ends inside the array (no closing ])",
    };

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static void Append(MemoryStream element, byte[] buffer, int from, int to, int maxBytes, ref bool tooLarge)
    {
        if (tooLarge || to <= from)
        {
            return;
        }

        if (element.Length + (to - from) > maxBytes)
        {
            tooLarge = true;
            element.SetLength(0);
            return;
        }

        element.Write(buffer, from, to - from);
    }

    private static JsonArrayElement Finish(int index, long line, MemoryStream element, bool tooLarge, int maxBytes) => tooLarge
        ? new JsonArrayElement(index, line, default, $"task #{index} is larger than {maxBytes / 1024 / 1024} MB, the most one task may be; split it into smaller tasks.")
        : new JsonArrayElement(index, line, element.ToArray(), null);
}
