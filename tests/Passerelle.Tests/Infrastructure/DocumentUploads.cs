using System.Net.Http.Headers;

namespace Passerelle.Tests.Infrastructure;

/// <summary>Sends a file as the candidate page's upload form does: its antiforgery token, the file, and the form's other fields.</summary>
public static class DocumentUploads
{
    /// <param name="fields">"Kind" for a new document, "Replaces" (the document's id) for a new version.</param>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, Guid candidateId, string fileName, byte[] bytes,
        IReadOnlyDictionary<string, string> fields)
    {
        var (_, page) = await Browserless.GetAsync(client, $"/ecole/candidats/{candidateId}");
        var token = page.QuerySelector("form[enctype='multipart/form-data'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var body = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (name, value) in fields)
            body.Add(new StringContent(value), name);
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        body.Add(file, "File", fileName);
        return await client.PostAsync($"/ecole/candidats/{candidateId}/documents", body);
    }
}
