using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CvPushes;

/// <summary>An offer a contact may ask to meet a pushed candidate for.</summary>
public sealed record OfferChoice(Guid Id, string Title);

/// <summary>
/// A pushed profile with what its pages show — the link page, the portal's "Profils proposés" and the school's lists —
/// read in one go for the context's school.
/// </summary>
public sealed record PushedProfileView(
    PushedProfile Profile, string SchoolName, string CandidateName, string StaffName, string ContactName, string CompanyName, string? Message,
    DateTimeOffset? ConsentRecordedAt, IReadOnlyList<SharedDocument> Documents, IReadOnlyList<OfferChoice> Offers, IReadOnlyList<string> RefusalReasons)
{
    public static async Task<PushedProfileView?> LoadAsync(PasserelleDb db, Guid pushedProfileId, CancellationToken ct)
    {
        var row = await (
            from profile in db.PushedProfiles
            where profile.Id == pushedProfileId
            join push in db.CvPushes on profile.CvPushId equals push.Id
            join candidate in db.Candidates on profile.CandidateId equals candidate.Id
            join staff in db.Staff on push.CreatedByStaffId equals staff.Id
            join contact in db.CompanyContacts on profile.ContactId equals contact.Id
            join company in db.Companies on contact.CompanyId equals company.Id
            join school in db.Schools on profile.SchoolId equals school.Id
            select new
            {
                profile, push.Message, candidate, staff, contact, company, school,
                Documents = (
                    from shared in db.PushedProfileDocuments
                    join document in db.Documents on shared.DocumentId equals document.Id
                    where shared.PushedProfileId == profile.Id
                    select document).ToList(),
                Offers = (
                    from offer in db.JobOffers
                    where offer.CompanyId == company.Id && offer.IsActive && !offer.IsSpontaneous
                    orderby offer.Title
                    select new OfferChoice(offer.Id, offer.Title)).ToList(),
            }).AsNoTracking().SingleOrDefaultAsync(ct);
        if (row is null)
            return null;
        return new PushedProfileView(row.profile, row.school.Name, row.candidate.DisplayName, row.staff.DisplayName, row.contact.DisplayName,
            row.company.Name, row.Message, row.candidate.PushConsentAt,
            row.Documents.OrderBy(d => d.Kind.ToString(), StringComparer.Ordinal).ThenBy(d => d.Title, StringComparer.Ordinal)
                .Select(SharedDocument.Of).ToList(),
            row.Offers, row.school.RefusalReasonList);
    }

    /// <summary>The contact may open the candidate's documents: while the candidate's consent stands and no referral took over.</summary>
    public bool DocumentsOpen => ConsentRecordedAt is not null && Profile.IsOpen;

    /// <summary>Where the proposal stands, in a sentence for the company.</summary>
    public string State => StateText(Profile.State, Profile.AnsweredAt, Profile.DeclineReason);

    public static string StateText(PushedProfileState state, DateTimeOffset? answeredAt, string? reason) => state switch
    {
        PushedProfileState.Pending => "À traiter : vous n'avez pas encore répondu.",
        PushedProfileState.MeetingAsked => $"Rencontre demandée le {ParisTime.Date(answeredAt!.Value)} : la mise en relation est créée.",
        _ => $"Pas de suite donnée le {ParisTime.Date(answeredAt!.Value)}{(reason is null ? "" : $" (motif : {reason})")}. Vous pouvez encore changer d'avis.",
    };

    /// <summary>The state's short label, for lists and the CSV export.</summary>
    public static string Label(PushedProfileState state) => state switch
    {
        PushedProfileState.Pending => "À traiter",
        PushedProfileState.MeetingAsked => "Rencontre demandée",
        _ => "Pas de suite",
    };
}

/// <summary>What the shared partial CvPushes/_PushedProfile shows: the profile, where documents download from, the forms' state.</summary>
public sealed record PushedProfileForm(PushedProfileView View, Func<Guid, string> DocumentUrl, AppointmentForm Appointment, string? Offer, bool DeclineFirst);
