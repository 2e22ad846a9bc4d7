using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Referrals;

/// <summary>A document the school shared with the company on a referral: what download links need.</summary>
/// <summary>A document shared with the company; a removed one keeps its place in the list as "document retiré", without a link.</summary>
public sealed record SharedDocument(Guid Id, string Label, bool Removed = false)
{
    public static SharedDocument Of(Candidates.Document d) =>
        d.RemovedAt is null ? new(d.Id, d.Label) : new(d.Id, Candidates.Document.RemovedLabel(d.Kind), Removed: true);
}

/// <summary>A referral with the names, details and shared documents the pages show, read in one query (for the context's school).</summary>
public sealed record ReferralSummary(
    Referral Referral, string SchoolName, string CandidateName, string CandidateFirstName, string OfferTitle, string OfferDescription,
    string? OfferLocation, DateOnly? OfferStartsOn, string CompanyName, string ContactName, string StaffName, IReadOnlyList<SharedDocument> SharedDocuments)
{
    public static async Task<ReferralSummary?> LoadAsync(PasserelleDb db, Guid referralId, CancellationToken ct)
    {
        var row = await (
            from r in db.Referrals
            join candidate in db.Candidates on r.CandidateId equals candidate.Id
            join offer in db.JobOffers on r.JobOfferId equals offer.Id
            join company in db.Companies on offer.CompanyId equals company.Id
            join contact in db.CompanyContacts on r.ContactId equals contact.Id
            join staff in db.Staff on r.CreatedByStaffId equals staff.Id
            join school in db.Schools on r.SchoolId equals school.Id
            where r.Id == referralId
            select new
            {
                r, candidate, offer, company, contact, staff, school.Name,
                Documents = (
                    from shared in db.ReferralDocuments
                    join document in db.Documents on shared.DocumentId equals document.Id
                    where shared.ReferralId == r.Id
                    select document).ToList(),
            })
            .AsNoTracking().SingleOrDefaultAsync(ct);
        if (row is null)
            return null;
        return new ReferralSummary(row.r, row.Name, row.candidate.DisplayName, row.candidate.FirstName, row.offer.Title, row.offer.Description,
            row.offer.Location, row.offer.StartsOn, row.company.Name, row.contact.DisplayName, row.staff.DisplayName,
            row.Documents.OrderBy(d => d.Kind.ToString(), StringComparer.Ordinal).ThenBy(d => d.Title, StringComparer.Ordinal).Select(SharedDocument.Of).ToList());
    }

    /// <summary>Where the referral stands, in a sentence for the party reading it.</summary>
    public string StateFor(Party reader)
    {
        var r = Referral;
        string When(DateTimeOffset? at) => at is { } t ? $"le {ParisTime.Date(t)} à {ParisTime.Time(t)}" : "";
        var appointment = r.AppointmentStartsAt is { } a
            ? $"le {ParisTime.Date(a)} à {ParisTime.Time(a)}{(string.IsNullOrWhiteSpace(r.AppointmentLocation) ? "" : $", {r.AppointmentLocation}")}"
            : "";
        var company = reader == Party.Company ? "Vous avez" : $"{CompanyName} a";
        var candidate = reader == Party.Candidate ? "Vous avez" : $"{CandidateName} a";
        return r.Stage switch
        {
            ReferralStage.AwaitingCandidate => reader == Party.Candidate ? "Vous n'avez pas encore répondu à cette offre." : "Le candidat n'a pas encore répondu à l'offre.",
            ReferralStage.OfferDeclined => $"{candidate} refusé l'offre {When(r.OfferAnsweredAt)}.",
            ReferralStage.AwaitingCompany => $"{candidate} accepté l'offre {When(r.OfferAnsweredAt)}. " +
                (reader == Party.Company ? "Votre réponse est attendue." : "L'entreprise n'a pas encore répondu."),
            ReferralStage.CompanyRefused => $"{company} refusé la candidature {When(r.CompanyAnsweredAt)}.",
            ReferralStage.AwaitingAppointmentAnswer => $"{company} accepté la candidature et proposé un rendez-vous {appointment}. " +
                (reader == Party.Candidate ? "Votre réponse est attendue." : "Le candidat n'a pas encore répondu."),
            ReferralStage.AppointmentDeclined => $"{candidate} décliné le rendez-vous {appointment}.",
            ReferralStage.AwaitingOutcome => $"{candidate} confirmé le rendez-vous {appointment}.",
            ReferralStage.Recruited => "Le candidat a été recruté.",
            ReferralStage.NotRetained => "Le candidat n'a pas été retenu.",
            _ => $"L'école a annulé cette mise en relation {When(r.CancelledAt)}" +
                (string.IsNullOrWhiteSpace(r.CancellationReason) ? "." : $" : {r.CancellationReason}."),
        };
    }
}

/// <summary>What the shared profile partial (Shared/_CandidateProfile) shows: the referral, and where each document downloads from.</summary>
public sealed record CandidateProfileView(ReferralSummary Summary, Func<Guid, string> DocumentUrl);
