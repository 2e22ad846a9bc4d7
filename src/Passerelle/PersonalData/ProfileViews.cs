using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.PersonalData;

/// <summary>
/// One look by a company contact at a candidate's profile or one of their documents, for a referral or a profile pushed to
/// them: what schools ask ("CV consulté par LEFEBVRE Sophie le 03/12/2026 à 10h12"). Shown on the school's referral page,
/// or beside the push on the candidate's page; the company does not see it.
/// </summary>
public sealed class ProfileView : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }

    /// <summary>The referral the look was for; null for a pushed profile's (one of the two, a CHECK says so).</summary>
    public Guid? ReferralId { get; set; }

    public Guid? PushedProfileId { get; set; }
    public Guid ContactId { get; set; }

    /// <summary>The document downloaded; null for the profile page.</summary>
    public Guid? DocumentId { get; set; }

    public Channel Channel { get; set; }
    public DateTimeOffset ViewedAt { get; set; }
}

/// <summary>A line of the school's "Consultations par l'entreprise".</summary>
public sealed record ViewLine(string What, string Who, DateTimeOffset At, bool Feminine = false)
{
    public string Text => $"{What} consulté{(Feminine ? "e" : "")} par {Who} le {ParisTime.Date(At)} à {ParisTime.Time(At)}";
}

public static class ProfileViews
{
    /// <summary>Looks at the same thing by the same person closer than this are one (a reload, a second click).</summary>
    public static readonly TimeSpan SameLook = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Records a look at a referral's candidate (a download, a portal page, or a mail link's page once seen: a failure to
    /// write it never stops the reading).
    /// </summary>
    public static Task RecordAsync(HttpContext http, PasserelleDb db, Guid referralId, Guid contactId, Guid? documentId, Channel channel,
        CancellationToken ct) =>
        RecordAsync(http, db, referralId, null, contactId, documentId, channel, ct);

    /// <summary>The same for a profile pushed to the contact.</summary>
    public static Task RecordPushedAsync(HttpContext http, PasserelleDb db, Guid pushedProfileId, Guid contactId, Guid? documentId, Channel channel,
        CancellationToken ct) =>
        RecordAsync(http, db, null, pushedProfileId, contactId, documentId, channel, ct);

    /// <summary>At the request's time (its clock), logging to <see cref="ProfileView"/>'s category when the row cannot be written.</summary>
    private static async Task RecordAsync(HttpContext http, PasserelleDb db, Guid? referralId, Guid? pushedProfileId, Guid contactId, Guid? documentId,
        Channel channel, CancellationToken ct)
    {
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var logger = http.RequestServices.GetRequiredService<ILogger<ProfileView>>();
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        try
        {
            var since = now - SameLook;
            if (await db.ProfileViews.AnyAsync(v => v.ReferralId == referralId && v.PushedProfileId == pushedProfileId && v.ContactId == contactId
                    && v.DocumentId == documentId && v.ViewedAt > since, ct))
                return;
            db.ProfileViews.Add(new ProfileView
            {
                Id = Guid.CreateVersion7(now), SchoolId = schoolId, ReferralId = referralId, PushedProfileId = pushedProfileId, ContactId = contactId,
                DocumentId = documentId, Channel = channel, ViewedAt = now,
            });
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            db.ChangeTracker.Clear();
            logger.LogWarning(e, "A view of referral {ReferralId} or pushed profile {PushedProfileId} could not be recorded", referralId, pushedProfileId);
        }
    }

    /// <summary>The looks at a referral's candidate, newest first.</summary>
    public static async Task<IReadOnlyList<ViewLine>> ForReferralAsync(PasserelleDb db, Guid referralId, CancellationToken ct) =>
        [.. (await LinesAsync(db, db.ProfileViews.Where(v => v.ReferralId == referralId), ct)).Select(l => l.Line)];

    /// <summary>The looks at these pushed profiles (a candidate's pushes), newest first, by pushed profile (each its own 200 at most).</summary>
    public static async Task<ILookup<Guid, ViewLine>> ForPushedProfilesAsync(PasserelleDb db, IReadOnlyCollection<Guid> pushedProfileIds, CancellationToken ct)
    {
        var lines = new List<(Guid PushedProfileId, ViewLine Line)>();
        foreach (var id in pushedProfileIds)
            lines.AddRange((await LinesAsync(db, db.ProfileViews.Where(v => v.PushedProfileId == id), ct)).Select(l => (id, l.Line)));
        return lines.ToLookup(l => l.PushedProfileId, l => l.Line);
    }

    /// <summary>Every one of these looks, oldest first, with the line the school reads: for a person's data export.</summary>
    public static async Task<IReadOnlyList<(ProfileView View, ViewLine Line)>> AllAsync(PasserelleDb db, IQueryable<ProfileView> views, CancellationToken ct) =>
        [.. (await LinesAsync(db, views, ct, max: null)).AsEnumerable().Reverse()];

    private static async Task<List<(ProfileView View, ViewLine Line)>> LinesAsync(PasserelleDb db, IQueryable<ProfileView> views, CancellationToken ct,
        int? max = 200)
    {
        var query =
            from v in views.AsNoTracking()
            join c in db.CompanyContacts on v.ContactId equals c.Id
            join d in db.Documents on v.DocumentId equals d.Id into documents
            from document in documents.DefaultIfEmpty()
            orderby v.ViewedAt descending
            select new { View = v, c.LastName, c.FirstName, Document = document };
        var rows = await (max is { } newest ? query.Take(newest) : query).ToListAsync(ct);
        return [.. rows.Select(r => (r.View, new ViewLine(
            r.Document is null ? "Profil" : SharedDocument.Of(r.Document).Label,
            Schools.PersonName.Display(r.LastName, r.FirstName), r.View.ViewedAt, r.Document?.Kind == Candidates.DocumentKind.CoverLetter)))];
    }
}

internal sealed class ProfileViewConfiguration : IEntityTypeConfiguration<ProfileView>
{
    public void Configure(EntityTypeBuilder<ProfileView> builder)
    {
        builder.ToTable("profile_views");
        builder.HasIndex(v => new { v.ReferralId, v.ViewedAt });
        builder.HasIndex(v => new { v.PushedProfileId, v.ViewedAt }).HasFilter("pushed_profile_id IS NOT NULL");
        builder.HasOne<Schools.School>().WithMany().HasForeignKey(v => v.SchoolId);
        builder.HasOne<Referral>().WithMany().HasForeignKey(v => v.ReferralId);
        builder.HasOne<CvPushes.PushedProfile>().WithMany().HasForeignKey(v => v.PushedProfileId);
        builder.HasOne<Companies.CompanyContact>().WithMany().HasForeignKey(v => v.ContactId);
        builder.HasOne<Candidates.Document>().WithMany().HasForeignKey(v => v.DocumentId);
    }
}
