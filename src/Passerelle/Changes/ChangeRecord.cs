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

/// <summary>One field of an edit, as the school reads it: "Intitulé : « Soudeur » → « Soudeur TIG »".</summary>
public sealed record FieldChange(string Field, string? Before, string? After)
{
    /// <summary>A note (<see cref="ChangeSet.Note"/>), not a field with values.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNote => Before is null && After is null;
}

/// <summary>
/// One edit of an offer, a company, a contact or a staff member: who made it, when, and each field before and after.
/// Written in the edit's own save; never changed afterwards.
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

    public static ChangeRecord Of(Guid schoolId, ChangeSubject kind, Guid subjectId, IReadOnlyList<FieldChange> fields, Guid? staffId,
        string actorName, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, SubjectKind = kind, SubjectId = subjectId, ChangedAt = now, StaffId = staffId,
            ActorName = actorName, Changes = JsonSerializer.Serialize(fields, Json),
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
    public static async Task<IReadOnlyList<ChangeLine>> LoadAsync(Storage.PasserelleDb db, ChangeSubject kind, Guid subjectId, CancellationToken ct)
    {
        var schoolId = db.SchoolId;
        var shared = kind is ChangeSubject.Company or ChangeSubject.CompanyContact;
        var records = shared ? db.ChangeRecords.IgnoreQueryFilters() : db.ChangeRecords;
        var rows = await records.AsNoTracking().Where(r => r.SubjectKind == kind && r.SubjectId == subjectId)
            .OrderByDescending(r => r.ChangedAt).ThenByDescending(r => r.Id).Take(100).ToListAsync(ct);
        // Another school's edits of shared values are shown; what it did with them (an export) is its own business.
        return [.. rows.Select(r => new ChangeLine(r.ChangedAt, r.SchoolId == schoolId ? r.ActorName : AnotherSchool,
                [.. r.Fields().Where(f => r.SchoolId == schoolId || !f.IsNote)]))
            .Where(line => line.Fields.Count > 0)];
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
