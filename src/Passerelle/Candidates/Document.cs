namespace Passerelle.Candidates;

public enum DocumentKind
{
    Cv,
    CoverLetter,
    Transcript,
    Diploma,
    Other,
}

/// <summary>A file attached to a candidate. The file itself is stored outside the web root under <see cref="StorageKey"/>.</summary>
public sealed class Document : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid CandidateId { get; set; }
    public DocumentKind Kind { get; set; }

    /// <summary>The name people see ("cv", "LM_Guillaume").</summary>
    public string Title { get; set; } = "";

    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }

    /// <summary>Server-chosen name of the stored file; never derived from what the uploader sent.</summary>
    public string StorageKey { get; set; } = "";

    public DateTimeOffset UploadedAt { get; set; }

    /// <summary>When the school removed the document: its file is gone, the referrals that shared it say "document retiré".</summary>
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>"CV - cv", as the company's list labels a document.</summary>
    public string Label => $"{KindLabel(Kind)} - {Title}";

    /// <summary>What the referrals that shared a removed document show in its place (its title may have named the person).</summary>
    public static string RemovedLabel(DocumentKind kind) => $"{KindLabel(kind)} - document retiré";

    public static string KindLabel(DocumentKind kind) => kind switch
    {
        DocumentKind.Cv => "CV",
        DocumentKind.CoverLetter => "Lettre de motivation",
        DocumentKind.Transcript => "Bulletin de notes",
        DocumentKind.Diploma => "Diplome / justificatif d'obtention",
        _ => "Autre",
    };
}
