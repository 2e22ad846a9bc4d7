using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Passerelle.Tests.Infrastructure;

/// <summary>Reads pages and submits their forms over HTTP, as a browser without JavaScript would.</summary>
public static class Browserless
{
    private static readonly HtmlParser Parser = new();

    /// <summary>Where each page was read from: a form without action posts back there, as in a browser.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IHtmlDocument, string> Addresses = new();

    public static async Task<(HttpStatusCode Status, IHtmlDocument Page)> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return (response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Submits the form of <paramref name="page"/> with the button whose text is <paramref name="button"/>.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, IHtmlDocument page, string button, IDictionary<string, string>? fields = null)
    {
        var submit = page.QuerySelectorAll("button").OfType<IHtmlButtonElement>().SingleOrDefault(b => b.TextContent.Trim() == button)
            ?? throw new InvalidOperationException($"No button '{button}' on the page: {page.Body?.TextContent}");
        var form = submit.Form ?? throw new InvalidOperationException("The button is not in a form");
        var values = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden")
            .ToDictionary(i => i.Name!, i => i.Value);
        // As a browser does: the clicked button's own name and value go with the form.
        if (submit.GetAttribute("name") is { Length: > 0 } name)
            values[name] = submit.GetAttribute("value") ?? "";
        foreach (var (key, value) in fields ?? new Dictionary<string, string>())
            values[key] = value;
        var action = submit.GetAttribute("formaction") ?? form.GetAttribute("action")
            ?? (Addresses.TryGetValue(page, out var address) ? address : throw new InvalidOperationException("The page's address is unknown"));
        return await client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>Submits an edit form as a browser does: what the form shows, with <paramref name="changes"/> typed over it.</summary>
    public static Task<HttpResponseMessage> EditAsync(HttpClient client, IHtmlDocument page, string button, Dictionary<string, string> changes)
    {
        var form = page.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == button).Closest("form")!;
        var values = new Dictionary<string, string>();
        foreach (var input in form.QuerySelectorAll("input[name]:not([type=hidden]), textarea[name], select[name]"))
        {
            var name = input.GetAttribute("name")!;
            values[name] = (input switch
            {
                IHtmlInputElement { Type: "checkbox" } box => box.IsChecked ? box.Value : "false",
                IHtmlInputElement field => field.Value,
                IHtmlTextAreaElement area => area.Value,
                IHtmlSelectElement select => select.Value,
                _ => "",
            }) ?? "";
        }
        foreach (var (key, value) in changes)
            values[key] = value;
        return SubmitAsync(client, page, button, values);
    }

    /// <summary>Posts the page's "seen" form (<c>form[data-seen]</c>), as its script (wwwroot/js/links.js) does once a person is at the page.</summary>
    public static Task<HttpResponseMessage> SeenAsync(HttpClient client, IHtmlDocument page)
    {
        var form = page.QuerySelector("form[data-seen]") ?? throw new InvalidOperationException($"No seen form on the page: {page.Body?.TextContent}");
        var fields = form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        return client.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(fields));
    }

    public static async Task<IHtmlDocument> ReadAsync(HttpResponseMessage response)
    {
        var page = Parser.ParseDocument(await response.Content.ReadAsStringAsync());
        if (response.RequestMessage?.RequestUri is { } uri)
            Addresses.AddOrUpdate(page, uri.PathAndQuery);
        return page;
    }

    public static string Text(this IHtmlDocument page) => string.Join(" ", (page.Body?.TextContent ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
