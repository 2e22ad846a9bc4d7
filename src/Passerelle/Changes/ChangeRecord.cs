using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Schools;

namespace Passerelle.Changes;

/// <summary>What an edit was about.</summary>
public enum ChangeSubject
{
    JobOffer,
    Company,
    CompanyContact,
    Staff,
    Candidate,
}

/// <summary>
/// One field of an edit, as the school reads it: "Intitulé : « Soudeur » → « Soudeur TIG »"; once the person it is about is
/// erased, "Nom : valeurs effacées" (<paramref name="ValuesErased"/>: the field was changed, its values are gone).
/// </summary>
public sealed record FieldChange(string Field, string? Before, string? After,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    bool ValuesErased = false)
{
    /// <summary>A note (<see cref="ChangeSet.Note"/>), not a field with values.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNote => Before is null && After is null && !ValuesErased;
}

/// <summary>
/// One edit of an offer, a company, a contact, a staff member or a candidate: who made it, when, and each field before and
/// after. Written in the edit's own save; changed afterwards only by the erasure of the person it is about or who made it.
/// </summary>
public sealed class ChangeRecord : ISchoolOwned
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public ChangeSubject SubjectKind { get; set; }
    public Guid SubjectId { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>The staff member who made the change; none when the person did it themself (a contact confirming an address).</summary>
    public Guid? StaffId { get; set; }

    public string ActorName { get; set; } = "";

    /// <summary>The fields changed, as JSON (<see cref="FieldChange"/>).</summary>
    public string Changes { get; set; } = "[]";

    public IReadOnlyList<FieldChange> Fields() => JsonSerializer.Deserialize<List<FieldChange>>(Changes, Json) ?? [];

    internal static string Serialize(IEnumerable<FieldChange> fields) => JsonSerializer.Serialize(fields, Json);

    public static ChangeRecord Of(Guid schoolId, ChangeSubject kind, Guid subjectId, IReadOnlyList<FieldChange> fields, Guid? staffId,
        string actorName, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, SubjectKind = kind, SubjectId = subjectId, ChangedAt = now, StaffId = staffId,
            ActorName = actorName, Changes = Serialize(fields),
        };
}

/// <summary>
/// The fields an edit changes, compared as the school typed them. An edit that changes nothing records nothing.
/// </summary>
public sealed class ChangeSet
{
    private readonly List<FieldChange> _fields = [];

    public IReadOnlyList<FieldChange> Fields => _fields;

    public bool IsEmpty => _fields.Count == 0;

    /// <summary>Notes the field when its value changes (empty and absent are the same).</summary>
    public ChangeSet Compare(string field, string? before, string? after)
    {
        before = string.IsNullOrEmpty(before) ? null : before;
        after = string.IsNullOrEmpty(after) ? null : after;
        if (!string.Equals(before, after, StringComparison.Ordinal))
            _fields.Add(new FieldChange(field, before, after));
        return this;
    }

    /// <summary>Something done to the object rather than a field changed ("Export des données…"): listed as it is.</summary>
    public ChangeSet Note(string what)
    {
        _fields.Add(new FieldChange(what, null, null));
        return this;
    }

    /// <summary>The record of this edit, added to the context (saved with the edit).</summary>
    public void Record(Storage.PasserelleDb db, ChangeSubject kind, Guid subjectId, Guid? staffId, string actorName, DateTimeOffset now)
    {
        if (IsEmpty)
            return;
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        db.ChangeRecords.Add(ChangeRecord.Of(schoolId, kind, subjectId, _fields, staffId, actorName, now));
    }
}

/// <summary>
/// The fields of a person (a candidate, a contact, a staff member) that say who they are. Their values before an edit are theirs
/// too: an erasure forgets them (<see cref="ChangeHistory.ForgetValuesAsync"/>; for people erased before it did, migration
/// 0020 did, with these names as they were then).
/// </summary>
public static class PersonFields
{
    public const string LastName = "Nom";
    public const string FirstName = "Prénom";
    public const string Phone = "Téléphone";
    public const string Email = "Adresse e-mail";
    public const string PendingEmail = "Nouvelle adresse e-mail (à confirmer)";
    public const string UserName = "Identifiant";
    public const string ExternalId = "Identifiant externe";

    internal static readonly HashSet<string> All = [LastName, FirstName, Phone, Email, PendingEmail, UserName, ExternalId];
}

/// <summary>A line of an object's "Historique".</summary>
public sealed record ChangeLine(DateTimeOffset ChangedAt, string Who, IReadOnlyList<FieldChange> Fields);

public static class ChangeHistory
{
    /// <summary>Shown for another school's edit of a shared company or contact: which school works with whom is its own business.</summary>
    public const string AnotherSchool = "un autre centre de formation";

    /// <summary>
    /// The edits of one object, newest first. For the shared companies and contacts, other schools' edits are listed too
    /// (the values changed for everyone) without saying who made them.
    /// </summary>
    /// <param name="max">How many of the newest edits; all of them for a person's data export.</param>
    public static async Task<IReadOnlyList<ChangeLine>> LoadAsync(Storage.PasserelleDb db, ChangeSubject kind, Guid subjectId, CancellationToken ct,
        int? max = 100)
    {
        var schoolId = db.SchoolId;
        var shared = kind is ChangeSubject.Company or ChangeSubject.CompanyContact;
        var records = shared ? db.ChangeRecords.IgnoreQueryFilters() : db.ChangeRecords;
        var ordered = records.AsNoTracking().Where(r => r.SubjectKind == kind && r.SubjectId == subjectId)
            .OrderByDescending(r => r.ChangedAt).ThenByDescending(r => r.Id);
        var rows = await (max is { } newest ? ordered.Take(newest) : ordered).ToListAsync(ct);
        // Another school's edits of shared values are shown; what it did with them (an export) and whether it still works with them
        // (its switch, "Accès" or "Activité": the contact is still active here) are its own business.
        return [.. rows.Select(r => new ChangeLine(r.ChangedAt, r.SchoolId == schoolId ? r.ActorName : AnotherSchool,
                [.. r.Fields().Where(f => r.SchoolId == schoolId || !(f.IsNote || IsSchoolsOwnLink(kind, f.Field)))]))
            .Where(line => line.Fields.Count > 0)];
    }

    private static bool IsSchoolsOwnLink(ChangeSubject kind, string field) =>
        (kind == ChangeSubject.CompanyContact && field == Deactivations.AccessField) || (kind == ChangeSubject.Company && field == Deactivations.ActivityField);

    /// <summary>What a person's history says of a field whose values their erasure removed.</summary>
    public const string ValuesErasedText = "valeurs effacées";

    /// <summary>
    /// For a person's erasure: their own history keeps which fields were changed, when and by whom, not the values (a name
    /// corrected, a former address). Returns those values (but external ids), which the erasure also looks for in free text. The
    /// caller saves.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ForgetValuesAsync(Storage.PasserelleDb db, ChangeSubject kind, Guid subjectId, CancellationToken ct)
    {
        var values = new List<string>();
        // A shared contact's history is written by every school that works with them.
        foreach (var record in await db.ChangeRecords.IgnoreQueryFilters().Where(r => r.SubjectKind == kind && r.SubjectId == subjectId).ToListAsync(ct))
        {
            var fields = record.Fields();
            // An identity field that still has a value (not a note, not one forgotten already).
            bool Personal(FieldChange f) => (f.Before ?? f.After) is not null && PersonFields.All.Contains(f.Field);
            if (!fields.Any(Personal))
                continue;
            // Another system's identifier ("42") is no trace to look for in text.
            values.AddRange(fields.Where(f => Personal(f) && f.Field != PersonFields.ExternalId).SelectMany(f => new[] { f.Before, f.After }).OfType<string>());
            record.Changes = ChangeRecord.Serialize(fields.Select(f => Personal(f) ? new FieldChange(f.Field, null, null, ValuesErased: true) : f));
        }
        return values;
    }
}

internal sealed class ChangeRecordConfiguration : IEntityTypeConfiguration<ChangeRecord>
{
    public void Configure(EntityTypeBuilder<ChangeRecord> builder)
    {
        builder.ToTable("change_records");
        builder.HasIndex(r => new { r.SubjectId, r.ChangedAt });
        builder.HasOne<School>().WithMany().HasForeignKey(r => r.SchoolId);
        builder.HasOne<Staff>().WithMany().HasForeignKey(r => r.StaffId);
    }
}
