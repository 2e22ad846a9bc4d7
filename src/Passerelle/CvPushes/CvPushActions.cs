using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.CvPushes;

/// <summary>A candidate to push, with the documents the companies may see.</summary>
public sealed record ProfileToPush(Guid CandidateId, IReadOnlyCollection<Guid> DocumentIds);

/// <summary>
/// What became of a push: the pushes sent (one per contact), or every reason it was refused, in French;
/// <paramref name="ChangedMeanwhile"/> when the request was right but someone else's action came first (a conflict, not bad input).
/// </summary>
public sealed record PushResult(IReadOnlyList<Guid> PushIds, IReadOnlyList<string> Problems, bool ChangedMeanwhile = false)
{
    public bool Succeeded => Problems.Count == 0;
}

/// <summary>What became of an answer to a pushed profile: a refusal, or done (with the referral a meeting created).</summary>
public sealed record PushAnswerResult(Refusal? Refusal, Guid? ReferralId = null)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// The push CV module against the database, for the context's school: staff push profiles (consent, the 90-day rule,
/// one mail per contact), and a contact's answer — from the mail's link, the portal or the back-office — is applied
/// here, the one way in, with the referral workflow's <see cref="Answer"/>s and refusals. Nothing of it works while the
/// school has the module off: everything answers "not found".
/// </summary>
public sealed class CvPushActions(PasserelleDb db, TimeProvider clock)
{
    public static async Task<bool> IsEnabledAsync(PasserelleDb db, CancellationToken ct)
    {
        var schoolId = db.SchoolId;
        return await db.Schools.AnyAsync(s => s.Id == schoolId && s.PushCvEnabled, ct);
    }

    /// <summary>
    /// Pushes the profiles to each contact: one push, hence one mail, per contact. All or nothing: any candidate without
    /// consent, document not theirs, contact not of the school, or profile already pushed to that contact within
    /// <see cref="PushedProfile.RepeatAfterDays"/> days refuses the whole push with its reasons.
    /// </summary>
    public Task<PushResult> PushAsync(
        IReadOnlyCollection<ProfileToPush> profiles, IReadOnlyCollection<Guid> contactIds, string? message, Actor staff, CancellationToken ct = default) =>
        PushAsync(profiles, contactIds, message, staff, staff.Id, ct);

    /// <summary>The same by an API key, for the school, in the name of the staff member who created the key (<paramref name="pushedByStaffId"/>).</summary>
    public async Task<PushResult> PushAsync(
        IReadOnlyCollection<ProfileToPush> profiles, IReadOnlyCollection<Guid> contactIds, string? message, Actor actor, Guid pushedByStaffId,
        CancellationToken ct = default)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        if (actor.Kind is not (ActorKind.Staff or ActorKind.ApiClient) || actor.OnBehalfOf is not null || (actor.Kind == ActorKind.Staff && actor.Id != pushedByStaffId))
            throw new ArgumentException("Only the school (a staff member or its API key) pushes profiles.", nameof(actor));
        if (!await IsEnabledAsync(db, ct))
            return new PushResult([], ["Le module push CV n'est pas activé pour cette école."]);
        var problems = new List<string>();
        if (profiles.Count == 0)
            problems.Add("Choisissez au moins un candidat.");
        if (contactIds.Count == 0)
            problems.Add("Choisissez au moins un contact entreprise.");
        if (problems.Count > 0)
            return new PushResult([], problems);

        var candidateIds = profiles.Select(p => p.CandidateId).Distinct().ToList();
        var candidates = await db.Candidates.AsNoTracking().Where(c => candidateIds.Contains(c.Id))
            .Select(c => new { c.Id, c.LastName, c.FirstName, c.PushConsentAt }).ToDictionaryAsync(c => c.Id, ct);
        var contacts = await (
            from link in db.SchoolContacts
            join contact in db.CompanyContacts on link.ContactId equals contact.Id
            // A contact or a company the school switched off is not chosen.
            where contactIds.Contains(contact.Id) && link.DeactivatedAt == null
                && !db.SchoolCompanies.Any(c => c.CompanyId == contact.CompanyId && c.DeactivatedAt != null)
            select new { contact.Id, contact.LastName, contact.FirstName }).ToDictionaryAsync(c => c.Id, ct);
        if (candidates.Count != candidateIds.Count || contacts.Count != contactIds.Distinct().Count())
            return new PushResult([], ["Un candidat ou un contact choisi est introuvable."]);

        var documentIds = profiles.SelectMany(p => p.DocumentIds).Distinct().ToList();
        var documentOwners = await db.Documents.AsNoTracking().Where(d => documentIds.Contains(d.Id) && d.RemovedAt == null)
            .Select(d => new { d.Id, d.CandidateId }).ToDictionaryAsync(d => d.Id, d => d.CandidateId, ct);
        foreach (var profile in profiles)
        {
            var name = PersonName.Display(candidates[profile.CandidateId].LastName, candidates[profile.CandidateId].FirstName);
            if (candidates[profile.CandidateId].PushConsentAt is null)
                problems.Add($"{name} n'a pas donné son accord pour que son profil soit proposé à des entreprises : enregistrez-le d'abord sur sa fiche.");
            if (profile.DocumentIds.Any(d => !documentOwners.TryGetValue(d, out var owner) || owner != profile.CandidateId))
                problems.Add($"Un document choisi pour {name} n'est pas le sien.");
        }

        var now = clock.GetUtcNow();
        var lastPushes = await db.PushedProfiles.AsNoTracking()
            .Where(p => candidateIds.Contains(p.CandidateId) && contactIds.Contains(p.ContactId))
            .GroupBy(p => new { p.CandidateId, p.ContactId })
            .Select(g => new { g.Key.CandidateId, g.Key.ContactId, Last = g.Max(p => p.PushedAt), Pending = g.Any(p => p.State == PushedProfileState.Pending) })
            .ToListAsync(ct);
        foreach (var last in lastPushes)
        {
            var candidate = candidates[last.CandidateId];
            var contact = contacts[last.ContactId];
            if (PushedProfile.RepeatRefusal(PersonName.Display(candidate.LastName, candidate.FirstName),
                    PersonName.Display(contact.LastName, contact.FirstName), last.Last, last.Pending, now) is { } repeat)
                problems.Add(repeat);
        }
        if (problems.Count > 0)
            return new PushResult([], problems);

        var pushIds = new List<Guid>();
        foreach (var contactId in contactIds.Distinct())
        {
            var push = new CvPush
            {
                Id = Guid.CreateVersion7(now), SchoolId = schoolId, ContactId = contactId, CreatedByStaffId = pushedByStaffId, CreatedAt = now,
                Message = Answer.Clean(message),
            };
            db.CvPushes.Add(push);
            foreach (var profile in profiles.DistinctBy(p => p.CandidateId))
                db.PushedProfiles.Add(PushedProfile.Create(push, profile.CandidateId, profile.DocumentIds));
            db.OutboxMessages.Add(Outbox.ForPush(push));
            pushIds.Add(push.Id);
        }
        // A candidate erased meanwhile is not proposed under the name "Candidat effacé".
        var held = candidateIds.Select(id => CandidateHold.Hold(db, id, schoolId)).ToList();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new PushResult([], ["Un des candidats choisis vient d'être effacé : rien n'a été envoyé."], ChangedMeanwhile: true);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Someone pushed one of these profiles to one of these contacts at the same moment.
            db.ChangeTracker.Clear();
            return new PushResult([], ["Un de ces profils vient d'être proposé à l'un de ces contacts par quelqu'un d'autre : rien n'a été envoyé."],
                ChangedMeanwhile: true);
        }
        finally
        {
            foreach (var entry in held.OfType<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Candidate>>())
                entry.State = EntityState.Detached;
        }
        return new PushResult(pushIds, []);
    }

    /// <summary>
    /// Applies a contact's answer to a pushed profile: <see cref="Answer.MeetCandidate"/> ("Je souhaite rencontrer ce
    /// candidat") or <see cref="Answer.RefuseCandidate"/> ("Ne pas donner suite"). The profile is resolved for the acting
    /// party (a contact sees only theirs); a meeting creates the referral, its events and mails in the same save.
    /// </summary>
    public async Task<PushAnswerResult> AnswerAsync(Guid pushedProfileId, Actor actor, Answer answer, int? expectedVersion, CancellationToken ct = default)
    {
        var profile = await IsEnabledAsync(db, ct)
            ? await db.PushedProfiles.Include(p => p.SharedDocuments).SingleOrDefaultAsync(p => p.Id == pushedProfileId, ct)
            : null;
        if (profile is null || (actor.Kind == ActorKind.CompanyContact && profile.ContactId != actor.Id))
            return NotFound();
        if (answer is Answer.Unreadable unreadable)
            return Refused(RefusalCode.Invalid, unreadable.Problem);
        if (await ReferralActions.ReasonProblemAsync(db, answer, ct) is { } problem)
            return Refused(RefusalCode.Invalid, problem);
        if (expectedVersion is { } seen && seen != profile.Version)
            return ChangedMeanwhile();
        // Whether this actor may answer now comes before the offer is looked for: a second "rencontrer" learns the meeting
        // is already asked, not that the candidate is already referred to that offer.
        if (profile.RefusalFor(actor) is { } notNow)
            return new PushAnswerResult(notNow);

        var now = clock.GetUtcNow();
        Guid? referralId = null;
        switch (answer)
        {
            case Answer.RefuseCandidate refuse:
                if (profile.Decline(actor, Answer.Clean(refuse.Reason), now) is { } refused)
                    return new PushAnswerResult(refused);
                break;
            case Answer.MeetCandidate meet:
                var candidateId = profile.CandidateId;
                var contactId = profile.ContactId;
                var context = await (
                    from push in db.CvPushes
                    where push.Id == profile.CvPushId
                    join staff in db.Staff on push.CreatedByStaffId equals staff.Id
                    join candidate in db.Candidates on candidateId equals candidate.Id
                    join contact in db.CompanyContacts on contactId equals contact.Id
                    select new
                    {
                        StaffId = staff.Id, staff.LastName, staff.FirstName, candidate.PushConsentAt, contact.CompanyId,
                        SwitchedOff = db.SchoolContacts.Any(l => l.ContactId == contactId && l.DeactivatedAt != null)
                            || db.SchoolCompanies.Any(l => l.CompanyId == contact.CompanyId && l.DeactivatedAt != null),
                    }).SingleAsync(ct);
                // The school switched the contact or the company off: no new referral with them.
                if (context.SwitchedOff)
                    return Refused(RefusalCode.Invalid, "L'école a désactivé ce contact ou cette entreprise : la rencontre ne peut plus être demandée.");
                var (offerId, offerProblem) = await OfferForMeetingAsync(profile, context.CompanyId, meet.OfferId, now, ct);
                if (offerProblem is not null)
                    return Refused(RefusalCode.Invalid, offerProblem);
                var (referral, result) = profile.AskMeeting(actor, meet.Appointment, offerId!.Value, context.PushConsentAt,
                    context.StaffId, PersonName.Display(context.LastName, context.FirstName), now);
                if (referral is null)
                {
                    db.ChangeTracker.Clear(); // a "Candidature spontanée" added for it stays unsaved
                    return new PushAnswerResult(result.Refusal);
                }
                db.Referrals.Add(referral);
                db.ReferralEvents.AddRange(result.Events);
                Outbox.Enqueue(db, referral, result, now);
                referralId = referral.Id;
                break;
            default:
                return Refused(RefusalCode.Invalid, "Cette réponse ne s'applique pas à un profil proposé.");
        }

        // The school's platform hears of the answer (webhook "push.profile_answered") in the same save.
        await Webhooks.WebhookEvents.AddPushAnsweredAsync(db, profile, actor, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return ChangedMeanwhile();
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The candidate was referred to the same offer, or the company's "Candidature spontanée" created, at the same moment.
            db.ChangeTracker.Clear();
            return ChangedMeanwhile();
        }
        return new PushAnswerResult(null, referralId);
    }

    /// <summary>
    /// The offer a meeting is for: one of the contact's company's active offers at this school, or its "Candidature spontanée"
    /// (created the first time). Not an offer the candidate is already in an open referral for.
    /// </summary>
    private async Task<(Guid? OfferId, string? Problem)> OfferForMeetingAsync(
        PushedProfile profile, Guid companyId, Guid? chosen, DateTimeOffset now, CancellationToken ct)
    {
        Guid offerId;
        if (chosen is { } id)
        {
            if (!await db.JobOffers.AnyAsync(o => o.Id == id && o.CompanyId == companyId && o.IsActive && !o.IsSpontaneous, ct))
                return (null, "Choisissez une des offres actives de votre entreprise, ou « Candidature spontanée ».");
            offerId = id;
        }
        else if (await db.JobOffers.Where(o => o.CompanyId == companyId && o.IsSpontaneous).Select(o => (Guid?)o.Id).SingleOrDefaultAsync(ct) is { } spontaneous)
        {
            offerId = spontaneous;
        }
        else
        {
            var offer = new JobOffer
            {
                Id = Guid.CreateVersion7(now), SchoolId = profile.SchoolId, CompanyId = companyId, Title = JobOffer.SpontaneousTitle,
                Description = "Candidature spontanée, à la suite d'un profil proposé par l'école.", IsActive = false, IsSpontaneous = true, CreatedAt = now,
            };
            db.JobOffers.Add(offer);
            return (offer.Id, null);
        }
        var candidateId = profile.CandidateId;
        return await db.Referrals.AnyAsync(r => r.CandidateId == candidateId && r.JobOfferId == offerId && r.CancelledAt == null, ct)
            ? (null, "Ce candidat est déjà en relation pour cette offre : suivez-la dans « Voir candidats », ou choisissez une autre offre.")
            : (offerId, null);
    }

    private static PushAnswerResult ChangedMeanwhile() => Refused(RefusalCode.ChangedMeanwhile,
        "Ce profil proposé vient d'être modifié (dans un autre onglet, ou par quelqu'un d'autre). Voici son état actuel ; votre réponse n'a pas été enregistrée.");

    private static PushAnswerResult NotFound() => new(new Refusal(RefusalCode.NotFound, "Ce profil proposé est introuvable."));

    private static PushAnswerResult Refused(RefusalCode code, string message) => new(new Refusal(code, message));
}
