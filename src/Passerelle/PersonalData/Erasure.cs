using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Changes;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.PersonalData;

/// <summary>What an erasure took away, for the message and the log (counts only: never a name).</summary>
public sealed record Erased(int Documents, int Referrals, int Cancelled, int Mails);

/// <summary>
/// "Effacer le candidat" (RGPD: right to erasure): the candidate's identity becomes "Candidat effacé", their e-mail, phone and
/// the free text about them go, their documents leave storage, the stored copies of the mails to or about them are reduced
/// to subject (without their name) and date, and their open referrals are cancelled — the companies told, without the name.
/// The referrals themselves stay, anonymous: the dashboard's funnel and delays keep counting them.
/// </summary>
public sealed class Erasure(PasserelleDb db, ReferralActions actions, DocumentStorage storage, EmailOptions email, TimeProvider clock,
    ILogger<Erasure> logger)
{
    public const string ErasedName = "Candidat effacé";

    /// <summary>Why the open referrals are cancelled, as the companies read it: asked by the candidate, or the retention period.</summary>
    public const string OnRequest = "Le candidat a demandé l'effacement de ses données.";

    /// <summary>What an erasure would take away, for the confirmation.</summary>
    public async Task<Erased?> PreviewAsync(Guid candidateId, CancellationToken ct)
    {
        if (!await db.Candidates.AnyAsync(c => c.Id == candidateId && c.ErasedAt == null, ct))
            return null;
        var referrals = db.Referrals.Where(r => r.CandidateId == candidateId);
        return new Erased(
            await db.Documents.CountAsync(d => d.CandidateId == candidateId && d.RemovedAt == null, ct),
            await referrals.CountAsync(ct),
            await referrals.CountAsync(r => r.CancelledAt == null && r.Outcome == null, ct),
            await db.OutboxMessages.CountAsync(m => (m.ReferralId != null && referrals.Any(r => r.Id == m.ReferralId)) || m.ToPersonId == candidateId, ct));
    }

    /// <summary>Erases a candidate of the context's school; null when there is none (or it was erased already).</summary>
    public async Task<Erased?> EraseCandidateAsync(Guid candidateId, Actor actor, Guid? staffId, CancellationToken ct) =>
        await EraseCandidateAsync(candidateId, actor, staffId, OnRequest, ct);

    /// <param name="reason">Why, for the cancellations and the candidate's history.</param>
    /// <param name="lastActivity">For the retention job: the last activity its list saw. When a referral or a document of the
    /// candidate moved after it (the list is made before the erasures), nothing is erased: null.</param>
    public async Task<Erased?> EraseCandidateAsync(Guid candidateId, Actor actor, Guid? staffId, string reason, CancellationToken ct,
        DateTimeOffset? lastActivity = null)
    {
        var candidate = await db.Candidates.SingleOrDefaultAsync(c => c.Id == candidateId && c.ErasedAt == null, ct);
        if (candidate is null)
            return null;
        var now = clock.GetUtcNow();

        Traces traces; // what their name and details look like, once the candidate is held
        string? Scrub(string? text) => traces.Scrub(text);

        List<Guid> referralIds;
        var files = new List<string>();
        var messageIds = new List<string>();
        int documents, mails;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // Claimed first: of two erasures at once (two clicks, two instances of the retention job) one goes on, and the other
            // waits for it (the row is locked) then finds the candidate erased.
            if (await db.Candidates.Where(c => c.Id == candidateId && c.ErasedAt == null).ExecuteUpdateAsync(set => set.SetProperty(c => c.ErasedAt, now), ct) == 0)
                return null;
            // Read again under the claim: a referral proposed or answered, or a document added, since the job's list was made
            // keeps the candidate (the transaction is rolled back, the claim with it).
            if (lastActivity is { } seen && (await db.Referrals.AnyAsync(r => r.CandidateId == candidateId && r.UpdatedAt > seen, ct)
                                            || await db.Documents.AnyAsync(d => d.CandidateId == candidateId && d.UploadedAt > seen, ct)))
                return null;
            // The row as the claim left it: an edit saved between the first read and the claim (a phone added) is erased too, and
            // the row's ErasedAt is now the claim's. The page's and the API's edits save only while it is null (their concurrency
            // token): this save is the erasure's own.
            await db.Entry(candidate).ReloadAsync(ct);
            // Their history keeps which fields were corrected, not from what: a former name or address is looked for in free text too.
            var former = await ChangeHistory.ForgetValuesAsync(db, ChangeSubject.Candidate, candidateId, ct);
            traces = new Traces(ErasedName, [candidate.DisplayName, $"{candidate.FirstName} {candidate.LastName}", candidate.LastName,
                candidate.FirstName, candidate.Email, candidate.Phone, .. former]);
            referralIds = await db.Referrals.Where(r => r.CandidateId == candidateId).Select(r => r.Id).ToListAsync(ct);
            candidate.LastName = "";
            candidate.FirstName = ErasedName;
            candidate.Email = "";
            candidate.Phone = null;
            candidate.ExternalId = null;
            candidate.PushConsentRecordedBy = null;
            // No more proposals without an offer: a pending pushed profile can no longer lead to a meeting.
            candidate.PushConsentAt = null;
            candidate.ErasedAt = now;

            var owned = await db.Documents.Where(d => d.CandidateId == candidateId).ToListAsync(ct);
            documents = owned.Count(d => d.RemovedAt is null);
            foreach (var document in owned)
            {
                files.Add(document.StorageKey);
                document.Title = "";
                document.RemovedAt ??= now;
            }
            foreach (var referral in await db.Referrals.Where(r => r.CandidateId == candidateId).ToListAsync(ct))
                referral.ForgetFreeText();
            foreach (var e in await db.ReferralEvents.Where(x => referralIds.Contains(x.ReferralId)).ToListAsync(ct))
            {
                e.Comment = null;
                e.Reason = null;
                if (e.ActorKind == ActorKind.Candidate)
                    e.ActorName = ErasedName;
            }
            var profiles = await db.PushedProfiles.Where(p => p.CandidateId == candidateId).ToListAsync(ct);
            foreach (var profile in profiles)
                profile.ForgetFreeText();
            var profileIds = profiles.Select(p => p.Id).ToList();
            var pushIds = profiles.Select(p => p.CvPushId).Distinct().ToList();
            await db.ActionLinks.Where(l => l.PushedProfileId != null && profileIds.Contains(l.PushedProfileId.Value) && l.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.RevokedAt, now), ct);
            foreach (var push in await db.CvPushes.Where(p => pushIds.Contains(p.Id)).ToListAsync(ct))
                push.Message = Scrub(push.Message);

            // The copies of the mails to or about them: subject (without the name) and date. Those still to send to them go unsent.
            var messages = await Outbox.TakeBackAsync(db.OutboxMessages.Where(m => (m.ReferralId != null && referralIds.Contains(m.ReferralId.Value))
                || m.ToPersonId == candidateId || (m.CvPushId != null && pushIds.Contains(m.CvPushId.Value))), ct);
            mails = messages.Count;
            messageIds.AddRange(messages.Select(m => m.MessageId));
            foreach (var message in messages)
            {
                var toThem = message.Recipient == Recipient.Candidate || message.ToPersonId == candidateId;
                if (message.State == OutboxState.Pending && !toThem)
                {
                    // Still to send to the others: composed later from the anonymous rows; what it carries is cleaned.
                    var data = MailData.Parse(message.Data);
                    message.Data = (data with { Comment = null, AppointmentComment = null, ActorName = Scrub(data.ActorName) }).Serialize();
                    continue;
                }
                if (message.State == OutboxState.Pending)
                {
                    message.State = OutboxState.Skipped;
                    message.LastError = MailComposer.RecipientErased;
                }
                message.Subject = Scrub(message.Subject);
                message.HtmlBody = null;
                message.TextBody = null;
                message.Data = null;
                message.ToAddress = null;
                message.ToName = null;
                message.LastError = Scrub(message.LastError);
            }
            await db.ActionLinks.Where(l => l.ReferralId != null && referralIds.Contains(l.ReferralId.Value) && l.Recipient == Recipient.Candidate && l.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.RevokedAt, now), ct);
            // What the integrations were sent or will be sent, and the API's remembered answers, keep no trace of the name, nor the
            // free text the events no longer hold; nor does a failure of a mail to them outside any referral (a retention warning).
            foreach (var delivery in await db.WebhookDeliveries.Where(d => d.ReferralId != null && referralIds.Contains(d.ReferralId.Value)).ToListAsync(ct))
                delivery.Payload = Scrub(Webhooks.WebhookEvents.WithoutFreeText(delivery.Payload))!;
            var theirMails = messages.Select(m => m.Id.ToString()).ToList();
            if (theirMails.Count > 0)
                foreach (var delivery in await db.WebhookDeliveries.Where(d => d.ReferralId == null && d.EventType == Webhooks.WebhookEvents.MailFailed).ToListAsync(ct))
                    if (theirMails.Any(delivery.Payload.Contains))
                        delivery.Payload = Scrub(delivery.Payload)!;
            var id = candidateId.ToString();
            foreach (var answer in await db.IdempotentRequests.Where(r => r.Response.Contains(id)).ToListAsync(ct))
                answer.Response = Scrub(answer.Response)!;
            // A company's answers to their pushed profiles, outside any referral: without the answer's free text either.
            foreach (var delivery in await db.WebhookDeliveries.Where(d => d.EventType == Webhooks.WebhookEvents.PushAnswered && d.Payload.Contains(id)).ToListAsync(ct))
                delivery.Payload = Scrub(Webhooks.WebhookEvents.WithoutFreeText(delivery.Payload))!;

            new ChangeSet().Note($"Candidat effacé (identité, coordonnées, documents, textes libres et copies des e-mails) : {reason}")
                .Record(db, ChangeSubject.Candidate, candidateId, staffId, actor.DisplayName, now);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        db.ChangeTracker.Clear();
        // The files go at once, whatever happens next (their rows say they are removed).
        foreach (var key in files)
            storage.Delete(key);
        // So do the mail folder's copies (the embedded delivery): a mail still to send is written again, without the name.
        FolderMailTransport.Forget(email, messageIds);

        // Then the open referrals are cancelled, through the workflow: the companies involved are told, without the name
        // (it is gone); the mails to the candidate are skipped.
        var cancelled = await CancelOpenReferralsAsync(candidateId, reason, actor);
        // SQLite: the log's copies of the pages that held the name go into the file (where secure_delete zeroed the freed space).
        await SqliteSecureDelete.CheckpointAsync(db, logger);
        logger.LogInformation("Erased candidate {CandidateId}: {Documents} documents, {Referrals} referrals ({Cancelled} cancelled), {Mails} mails",
            candidateId, documents, referralIds.Count, cancelled, mails);
        return new Erased(documents, referralIds.Count, cancelled, mails);
    }

    /// <summary>
    /// Cancels an erased candidate's open referrals through the workflow (the companies told, without the name; the mails to the
    /// candidate skipped). Run by the erasure once committed, and by the daily job (<see cref="Retention"/>) for a referral
    /// proposed while the candidate was being erased, which the erasure could not see. Returns how many it cancelled.
    /// </summary>
    public async Task<int> CancelOpenReferralsAsync(Guid candidateId, string reason, Actor actor)
    {
        var cancelled = 0;
        foreach (var referralId in await db.Referrals.Where(r => r.CandidateId == candidateId && r.CancelledAt == null && r.Outcome == null)
            .Select(r => r.Id).ToListAsync(CancellationToken.None))
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                // Not stopped halfway by a closed connection: the erasure is committed, its cancellations follow.
                var result = await actions.ApplyAsync(referralId, (r, at) => r.Cancel(reason, actor, at), ct: CancellationToken.None);
                db.ChangeTracker.Clear();
                if (result.Succeeded)
                    cancelled++;
                if (result.Refusal is not { Code: RefusalCode.ChangedMeanwhile })
                    break;
            }
        }
        return cancelled;
    }
}

/// <summary>
/// Every form a person's name and details take in free text, longest first (the full name before its parts), as written and
/// as JSON escapes them (an accent becomes \u00E9 in a stored payload): what an erasure replaces wherever text was kept.
/// Whole words only: "Martin" leaves "Martinez" alone, and a short value (a phone typed "NC") the words that hold it
/// ("France") and the keys of a stored JSON answer.
/// </summary>
internal sealed class Traces
{
    private readonly string _replacement;
    private readonly Regex? _pattern;

    public Traces(string replacement, params string?[] values)
    {
        _replacement = replacement;
        var plain = values.Where(t => !string.IsNullOrWhiteSpace(t) && t.Trim().Length >= 2).Select(t => t!.Trim()).ToList();
        string[] traces = [.. plain.Concat(plain.Select(t => System.Text.Json.JsonEncodedText.Encode(t).ToString()))
            .Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(t => t.Length)];
        if (traces.Length > 0)
        {
            // Preceded by no letter or digit, or by a JSON escape ("Merci\nLéa" in a stored payload); followed by none.
            const string before = @"(?:(?<![\p{L}\p{N}])|(?<=\\[nrtbf])|(?<=\\u[0-9A-Fa-f]{4}))";
            const string after = @"(?![\p{L}\p{N}])";
            _pattern = new Regex(before + "(?:" + string.Join('|', traces.Select(Regex.Escape)) + ")" + after,
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }

    public string? Scrub(string? text) => text is null || _pattern is null ? text : _pattern.Replace(text, _ => _replacement);
}
