using Microsoft.Playwright;

namespace Portal.Tests.Web.Browser;

/// <summary>How a person marks a span in the editor, shared by the browser tests and the web benchmark (linked there).</summary>
public static class SpanGestures
{
    /// <summary>Drags the mouse over the first two characters of the task text; the selection snaps to the whole word, which it returns.</summary>
    public static async Task<string> DragOverFirstWordAsync(IPage page)
    {
        await page.Locator(".span-text[data-ready='true']").First.WaitForAsync();
        var text = await page.Locator(".span-text").InnerTextAsync();
        var word = text.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0].TrimEnd(',', '.', '!');
        var box = await page.EvaluateAsync<float[]>("""
            () => {
              const text = document.querySelector('.span-text span[data-s]').firstChild;
              const range = document.createRange();
              range.setStart(text, 0);
              range.setEnd(text, Math.min(2, text.length));
              const r = range.getBoundingClientRect();
              return [r.x, r.y, r.width, r.height];
            }
            """);
        await page.Mouse.MoveAsync(box[0] + 1, box[1] + (box[3] / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box[0] + box[2] - 1, box[1] + (box[3] / 2), new MouseMoveOptions { Steps = 4 });
        await page.Mouse.UpAsync();
        return word;
    }
}
