using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.PersonalData;

/// <summary>
/// The erasure of the people who worked with Passerelle (RGPD, storage limitation): a company contact or a staff member
/// switched off for longer than the retention period (<see cref="Retention"/>). As for a candidate (<see cref="Erasure"/>),
/// the identity becomes "Contact effacé" / "Membre de l'équipe effacé", the e-mail, phone, password and login go, the stored
/// copies of the mails to them are reduced to subject and date, and their name leaves every free text Passerelle kept
/// (timelines, mails about their referrals, the history of edits, webhook payloads, the API's remembered answers). The
/// referrals stay: a school's statistics keep counting them. An erased account cannot be switched on again.
/// </summary>
public sealed class AccountErasure(PasserelleDb db, EmailOptions email, TimeProvider clock, ILogger<AccountErasure> logger)
{
    public const string ErasedContactName = "Contact effacé";
    public const string ErasedStaffName = "Membre de l'équipe effacé";

    /// <summary>
    /// Erases a contact every school of theirs switched off (contacts are shared: while one school works with them, they
    /// stay). Runs in a system context. False when there is nothing to erase (erased already, or active somewhere).
    /// </summary>
    public async Task<bool> EraseContactAsync(Guid contactId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Claimed first, and only while no school has them active: of two runs at once one goes on; a school switching them
        // on again meanwhile waits for the row (Deactivations) and then finds them erased.
        var claimed = await db.CompanyContacts.IgnoreQueryFilters()
            .Where(c => c.Id == contactId && c.ErasedAt == null
                && db.SchoolContacts.IgnoreQueryFilters().Any(l => l.ContactId == c.Id)
                && !db.SchoolContacts.IgnoreQueryFilters().Any(l => l.ContactId == c.Id && l.DeactivatedAt == null))
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.ErasedAt, now), ct);
        if (claimed == 0)
            return false;
        // On PostgreSQL a claim that waited for a school switching them on again judged the links as they were before the switch:
        // they are read again, and a contact active again is not erased.
        if (await db.SchoolContacts.IgnoreQueryFilters().AnyAsync(l => l.ContactId == contactId && l.DeactivatedAt == null, ct))
            return false;
        var contact = await db.CompanyContacts.IgnoreQueryFilters().SingleAsync(c => c.Id == contactId, ct);
        // Their history keeps which fields were corrected, not from what: a former name or address is looked for in free text too.
        var former = await Changes.ChangeHistory.ForgetValuesAsync(db, Changes.ChangeSubject.CompanyContact, contactId, ct);
        var traces = new Traces(ErasedContactName, [contact.DisplayName, $"{contact.FirstName} {contact.LastName}", contact.LastName,
            contact.FirstName, contact.Email, contact.PendingEmail, contact.UserName, contact.Phone, .. former]);
        var logins = new[] { contact.Email, contact.UserName, contact.PendingEmail }.OfType<string>().Select(l => l.ToLowerInvariant()).ToList();
        var displayName = contact.DisplayName;

        contact.LastName = "";
        contact.FirstName = ErasedContactName;
        contact.Email = "";
        contact.PendingEmail = null;
        contact.PendingEmailRequestedAt = null;
        contact.Phone = null;
        contact.UserName = $"efface-{contactId:N}";
        contact.PasswordHash = "";
        contact.SecurityStamp = Guid.NewGuid().ToString("N");
        contact.LastSchoolId = null;

        // Their referrals: followed by them now, answered by them, or handed to them once.
        var referralIds = await db.Referrals.IgnoreQueryFilters().Where(r => r.ContactId == contactId).Select(r => r.Id)
            .Union(db.ReferralEvents.IgnoreQueryFilters()
                .Where(e => (e.ActorKind == ActorKind.CompanyContact && e.ActorId == contactId) || (e.Kind == ReferralEventKind.ContactChanged && e.Reason == displayName))
                .Select(e => e.ReferralId))
            .ToListAsync(ct);
        var followedNow = await db.Referrals.IgnoreQueryFilters().Where(r => r.ContactId == contactId).Select(r => r.Id).ToListAsync(ct);
        await ScrubEventsAsync(referralIds, ActorKind.CompanyContact, contactId, ErasedContactName, traces, ct);

        var pushIds = await db.CvPushes.IgnoreQueryFilters().Where(p => p.ContactId == contactId).Select(p => p.Id).ToListAsync(ct);
        foreach (var push in await db.CvPushes.IgnoreQueryFilters().Where(p => p.ContactId == contactId).ToListAsync(ct))
            push.Message = traces.Scrub(push.Message);
        var mails = await ScrubMailsAsync(referralIds, pushIds, contactId,
            m => m.ToPersonId == contactId || (m.CvPushId != null && pushIds.Contains(m.CvPushId.Value))
                || (m.Recipient == Recipient.CompanyContact && m.ReferralId != null && followedNow.Contains(m.ReferralId.Value)),
            traces, ct);

        foreach (var invitation in await db.ContactInvitations.IgnoreQueryFilters().Where(i => i.ContactId == contactId).ToListAsync(ct))
            invitation.Email = "";
        foreach (var link in await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contactId).ToListAsync(ct))
            link.ExternalId = null;
        foreach (var record in await db.ChangeRecords.IgnoreQueryFilters()
            .Where(r => r.SubjectKind == Changes.ChangeSubject.CompanyContact && r.SubjectId == contactId).ToListAsync(ct))
        {
            record.Changes = traces.Scrub(record.Changes)!;
            record.ActorName = traces.Scrub(record.ActorName)!;
        }
        await ScrubIntegrationsAsync(referralIds, contactId, traces, ct);
        await ForgetLoginAsync(AccountKind.CompanyContact, contactId, logins, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        FolderMailTransport.Forget(email, mails);
        await SqliteSecureDelete.CheckpointAsync(db, logger);
        logger.LogInformation("Erased company contact {ContactId}: {Referrals} referrals and {Mails} mails made anonymous", contactId, referralIds.Count, mails.Count);
        return true;
    }

    /// <summary>Erases a switched-off staff member of the context's school. False when there is nothing to erase.</summary>
    public async Task<bool> EraseStaffAsync(Guid staffId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The school's row first, as an admin switching accounts on and off does (Deactivations): one waits for the other.
        await Changes.Deactivations.LockSchoolAsync(db, ct);
        if (await db.Staff.Where(s => s.Id == staffId && s.ErasedAt == null && s.DeactivatedAt != null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.ErasedAt, now), ct) == 0)
            return false;
        var staff = await db.Staff.SingleAsync(s => s.Id == staffId, ct);
        var former = await Changes.ChangeHistory.ForgetValuesAsync(db, Changes.ChangeSubject.Staff, staffId, ct);
        var traces = new Traces(ErasedStaffName, [staff.DisplayName, $"{staff.FirstName} {staff.LastName}", staff.LastName, staff.FirstName,
            staff.Email, staff.UserName, .. former]);
        var logins = new[] { staff.Email, staff.UserName }.Select(l => l.ToLowerInvariant()).ToList();

        staff.LastName = "";
        staff.FirstName = ErasedStaffName;
        staff.Email = "";
        staff.UserName = $"efface-{staffId:N}";
        staff.PasswordHash = "";
        staff.SecurityStamp = Guid.NewGuid().ToString("N");

        var referralIds = await db.Referrals.Where(r => r.CreatedByStaffId == staffId).Select(r => r.Id)
            .Union(db.ReferralEvents.Where(e => e.ActorKind == ActorKind.Staff && e.ActorId == staffId).Select(e => e.ReferralId))
            .ToListAsync(ct);
        await ScrubEventsAsync(referralIds, ActorKind.Staff, staffId, ErasedStaffName, traces, ct);
        var pushIds = await db.CvPushes.Where(p => p.CreatedByStaffId == staffId).Select(p => p.Id).ToListAsync(ct);
        foreach (var push in await db.CvPushes.Where(p => p.CreatedByStaffId == staffId).ToListAsync(ct))
            push.Message = traces.Scrub(push.Message);
        var mails = await ScrubMailsAsync(referralIds, pushIds, staffId, m => m.ToPersonId == staffId, traces, ct);

        // Their name as the author of edits; and in the team's histories (a colleague's says from whom they received referrals).
        // Not in the values of what they edited: a candidate "Martins" corrected by "Martin" keeps their name.
        foreach (var record in await db.ChangeRecords.Where(r => r.StaffId == staffId || r.SubjectKind == Changes.ChangeSubject.Staff)
            .ToListAsync(ct))
        {
            if (record.SubjectKind == Changes.ChangeSubject.Staff)
                record.Changes = traces.Scrub(record.Changes)!;
            record.ActorName = traces.Scrub(record.ActorName)!;
        }
        foreach (var key in await db.ApiKeys.Where(k => k.CreatedByStaffId == staffId).ToListAsync(ct))
            key.CreatedBy = ErasedStaffName;
        // Who recorded a candidate's consent to push CV, and who registered a webhook endpoint (a name only, as it was then).
        foreach (var candidate in await db.Candidates.Where(c => c.PushConsentRecordedById == staffId).ToListAsync(ct))
            candidate.PushConsentRecordedBy = ErasedStaffName;
        foreach (var endpoint in await db.WebhookEndpoints.ToListAsync(ct))
            endpoint.CreatedBy = traces.Scrub(endpoint.CreatedBy)!;
        await ScrubIntegrationsAsync(referralIds, staffId, traces, ct);
        await ForgetLoginAsync(AccountKind.Staff, staffId, logins, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        FolderMailTransport.Forget(email, mails);
        await SqliteSecureDelete.CheckpointAsync(db, logger);
        logger.LogInformation("Erased staff member {StaffId}: {Referrals} referrals and {Mails} mails made anonymous", staffId, referralIds.Count, mails.Count);
        return true;
    }

    /// <summary>Their name in the timelines: as the actor of their own steps, and wherever a comment or a reason wrote it.</summary>
    private async Task ScrubEventsAsync(List<Guid> referralIds, ActorKind kind, Guid personId, string erasedName, Traces traces, CancellationToken ct)
    {
        foreach (var e in await db.ReferralEvents.IgnoreQueryFilters().Where(e => referralIds.Contains(e.ReferralId)).ToListAsync(ct))
        {
            if (e.ActorKind == kind && e.ActorId == personId)
                e.ActorName = erasedName;
            e.Comment = traces.Scrub(e.Comment);
            e.Reason = traces.Scrub(e.Reason);
            e.AppointmentLocation = traces.Scrub(e.AppointmentLocation);
        }
        foreach (var referral in await db.Referrals.IgnoreQueryFilters().Where(r => referralIds.Contains(r.Id)).ToListAsync(ct))
            referral.ForgetName(traces.Scrub);
    }

    /// <summary>
    /// The copies of the mails to them are reduced to subject and date (those still to send go unsent); the other mails of
    /// their referrals and pushes keep their text without their name.
    /// </summary>
    /// <returns>The Message-IDs of the mails, whose copies in the mail folder go too.</returns>
    private async Task<List<string>> ScrubMailsAsync(List<Guid> referralIds, List<Guid> pushIds, Guid personId,
        Func<OutboxMessage, bool> toThem, Traces traces, CancellationToken ct)
    {
        var theirs = db.OutboxMessages.IgnoreQueryFilters()
            .Where(m => (m.ReferralId != null && referralIds.Contains(m.ReferralId.Value)) || m.ToPersonId == personId
                || (m.CvPushId != null && pushIds.Contains(m.CvPushId.Value)));
        var messages = await Outbox.TakeBackAsync(theirs, ct);
        foreach (var message in messages)
        {
            if (toThem(message))
            {
                if (message.State == OutboxState.Pending)
                {
                    message.State = OutboxState.Skipped;
                    message.LastError = MailComposer.RecipientErased;
                }
                message.HtmlBody = null;
                message.TextBody = null;
                message.Data = null;
                message.ToAddress = null;
                message.ToName = null;
            }
            else
            {
                message.HtmlBody = traces.Scrub(message.HtmlBody);
                message.TextBody = traces.Scrub(message.TextBody);
                message.Data = traces.Scrub(message.Data);
                message.ToName = traces.Scrub(message.ToName);
            }
            message.Subject = traces.Scrub(message.Subject);
            message.LastError = traces.Scrub(message.LastError);
        }
        return [.. messages.Select(m => m.MessageId)];
    }

    /// <summary>What the integrations were sent or will be sent, and the API's remembered answers.</summary>
    private async Task ScrubIntegrationsAsync(List<Guid> referralIds, Guid personId, Traces traces, CancellationToken ct)
    {
        var id = personId.ToString();
        // A referral's events, and what is sent outside any referral about them (a contact's answers to pushed profiles).
        foreach (var delivery in await db.WebhookDeliveries.IgnoreQueryFilters()
            .Where(d => (d.ReferralId != null && referralIds.Contains(d.ReferralId.Value)) || (d.ReferralId == null && d.Payload.Contains(id))).ToListAsync(ct))
            delivery.Payload = traces.Scrub(delivery.Payload)!;
        foreach (var answer in await db.IdempotentRequests.IgnoreQueryFilters().Where(r => r.Response.Contains(id)).ToListAsync(ct))
            answer.Response = traces.Scrub(answer.Response)!;
    }

    /// <summary>No password link, no remembered failed login under their address.</summary>
    private async Task ForgetLoginAsync(AccountKind kind, Guid accountId, List<string> logins, CancellationToken ct)
    {
        await db.AccountTokens.IgnoreQueryFilters().Where(t => t.AccountKind == kind && t.AccountId == accountId).ExecuteDeleteAsync(ct);
        await db.Set<LoginThrottle>().Where(t => t.AccountKind == kind && logins.Contains(t.Login)).ExecuteDeleteAsync(ct);
    }
}
