using System.Text.Json;
using System.Text.Json.Serialization;

namespace Passerelle.Tests.Security;

/// <summary>
/// The hostile requests of Security/hostile-requests.json. Each "action" is a legitimate form expanded into the
/// standard attacks on it (no or a wrong antiforgery token, another user's token, a cross-site or foreign-origin
/// post, GET and HEAD on the action address, no session, another school's or contact's user); each "case" is one
/// request written out. Placeholders in braces ({margaud}, {companyToken}, {3000}) are filled by the runner.
/// </summary>
public sealed class HostileCorpus
{
    public List<Action> Actions { get; init; } = [];
    public List<HostileRequest> Cases { get; init; } = [];

    public sealed class Action
    {
        public string Name { get; init; } = "";
        public string As { get; init; } = "anonymous";
        public string Path { get; init; } = "";
        public Dictionary<string, string> Form { get; init; } = [];
        public FilePart? File { get; init; }

        /// <summary>What GET and HEAD on the address answer (they never act).</summary>
        public int Get { get; init; }

        /// <summary>What the action answers without a session (null: it needs none, e.g. a mail link).</summary>
        public int? Anonymous { get; init; }

        /// <summary>Who else tries it (another school's staff, another company's contact), and what they get.</summary>
        public string? Other { get; init; }
        public int? OtherGets { get; init; }
    }

    public sealed class HostileRequest
    {
        public string Name { get; init; } = "";
        public string As { get; init; } = "anonymous";
        public string Method { get; init; } = "POST";
        public string Path { get; init; } = "";
        public Dictionary<string, string> Form { get; init; } = [];
        public FilePart? File { get; init; }

        /// <summary>valid (default for POST), missing, wrong, or the name of another actor whose token is sent.</summary>
        public string Antiforgery { get; init; } = "valid";
        public Dictionary<string, string> Headers { get; init; } = [];

        /// <summary>The form's NUL characters sent as the byte itself, as a client that does not encode them would (a browser sends %00).</summary>
        public bool RawNul { get; init; }

        public int Expect { get; init; }

        /// <summary>Text the answer must contain (the French message of a refusal); several choices separated by |.</summary>
        public string? ExpectText { get; init; }

        /// <summary>Text the answer must not contain (an off-site address, a raw script).</summary>
        public string? RejectText { get; init; }

        /// <summary>Where a redirect must lead (path and query), e.g. never off-site.</summary>
        public string? ExpectLocation { get; init; }

        /// <summary>False (the default): the database and the documents folder are the same afterwards.</summary>
        public bool Changes { get; init; }

        /// <summary>For an accepted hostile text: a page that must show it escaped, never as markup.</summary>
        public string? RenderedAt { get; init; }
    }

    public sealed class FilePart
    {
        public string Field { get; init; } = "File";
        public string Name { get; init; } = "";
        public string Content { get; init; } = "";
    }

    private static readonly JsonSerializerOptions Reading = new()
    {
        PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static HostileCorpus Load() =>
        JsonSerializer.Deserialize<HostileCorpus>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "hostile-requests.json")), Reading)!;

    /// <summary>Every request: the actions' standard attacks, then the written cases.</summary>
    public IEnumerable<HostileRequest> Requests()
    {
        foreach (var action in Actions)
        {
            HostileRequest Variant(string what, int expect, string antiforgery = "valid", Dictionary<string, string>? headers = null, string? actor = null, string method = "POST") => new()
            {
                Name = $"{action.Name}: {what}", As = actor ?? action.As, Method = method, Path = action.Path, Form = action.Form, File = action.File,
                Antiforgery = antiforgery, Headers = headers ?? [], Expect = expect,
                // A refusal is explained by the French error page (an upload's form token refusal is a bare 400).
                ExpectText = method != "POST" ? null : expect switch
                {
                    403 => "Accès refusé",
                    400 when action.File is null => "Le formulaire n'a pas pu être pris en compte",
                    _ => null,
                },
            };
            yield return Variant("no antiforgery token", 400, antiforgery: "missing");
            yield return Variant("a forged antiforgery token", 400, antiforgery: "wrong");
            yield return Variant("another user's antiforgery token", 400, antiforgery: action.As == "anonymous" ? "staff" : "anonymous");
            yield return Variant("posted from another site (Sec-Fetch-Site)", 403, headers: new() { ["Sec-Fetch-Site"] = "cross-site" });
            yield return Variant("posted from a foreign Origin", 403, headers: new() { ["Origin"] = "https://evil.example" });
            yield return Variant("GET on the action's address", action.Get, antiforgery: "missing", method: "GET");
            yield return Variant("HEAD on the action's address", action.Get, antiforgery: "missing", method: "HEAD");
            if (action.Anonymous is { } anonymous)
                yield return Variant("without a session", anonymous, actor: "anonymous");
            if (action.Other is { } other)
                yield return Variant($"by {other}", action.OtherGets ?? 404, actor: other);
        }
        foreach (var written in Cases)
            yield return written;
    }
}
