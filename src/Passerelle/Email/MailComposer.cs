using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Email.Links;
using Passerelle.Email.Templates;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>A mail ready to go, and its copy with the personal links masked (the one kept in the database).</summary>
public sealed record ComposedMail(
    string ToAddress, string ToName, string FromName, string Subject, string Html, string Text,
    string? Calendar, CalendarInvite CalendarMethod, string MessageId, string MaskedHtml, string MaskedText);

/// <summary>
/// Turns an outbox row into a mail: finds the recipient and the referral's details, creates the action links
/// (their hashes are stored now; the tokens exist only in the mail), renders the school's or the default
/// template and adds the calendar invitation.
/// </summary>
public sealed class MailComposer(PasserelleDb db, TemplateRenderer renderer, EmailOptions options)
{
    private const string Mask = "•••";

    /// <summary>The problem a mail gets when the school switched its recipient off: the mail is kept as skipped, not failed.</summary>
    public const string RecipientSwitchedOff = "Destinataire désactivé par l'école : e-mail non envoyé.";

    /// <summary>The same for a mail to a candidate the school erased.</summary>
    public const string RecipientErased = "Candidat effacé : e-mail non envoyé.";

    /// <summary>
    /// A contact's credentials mail whose contact has chosen a password since (through "Mot de passe oublié", while the mail
    /// waited on the SMTP server, or sent again from the failed mails): kept as skipped. A school sends no password link to
    /// an account that has one (it may be another school's contact too); the contact resets it themself.
    /// </summary>
    public const string PasswordAlreadyChosen = "Mot de passe déjà choisi par le contact : lien non envoyé (« Mot de passe oublié » reste possible).";

    /// <summary>The problem of a notification the school turned off in its settings: kept as skipped, without a reason.</summary>
    public const string SchoolMuted = "Notification désactivée par l'école : e-mail non envoyé.";

    /// <summary>A referral's mail as it is now, with everything it says and the school's own version of its template.</summary>
    public sealed record ReferralMailRow(
        OutboxMessage Message, Referral Referral, Candidates.Candidate Candidate, JobOffers.JobOffer Offer, Companies.Company Company,
        Companies.CompanyContact Contact, Schools.Staff Staff, Schools.School School, bool ContactSwitchedOff, EmailTemplate? Template);

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<OutboxMessage?>>> ReadMessage = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.OutboxMessages.AsNoTracking().SingleOrDefault(m => m.Id == id)));

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<Schools.School>>> ReadSchool = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.Schools.AsNoTracking().Single(s => s.Id == id)));

    /// <summary>
    /// The rows of a group of referral mails of any schools, in one query (compiled: the dispatcher runs it for every group of
    /// mails): each row is joined within its own school, so no query filter is needed (a context for no school reads this).
    /// Its nine tables cost PostgreSQL far more to plan than to run: it runs on the dispatcher's connections, where it is
    /// planned once (<see cref="Storage.DispatcherScopes"/>).
    /// </summary>
    private static readonly CompiledQuery<Func<PasserelleDb, Guid[], IAsyncEnumerable<ReferralMailRow>>> ReferralRows = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid[] messageIds) =>
            from m in db.OutboxMessages.AsNoTracking().IgnoreQueryFilters()
            where messageIds.Contains(m.Id)
            join r in db.Referrals on new { Id = m.ReferralId, m.SchoolId } equals new { Id = (Guid?)r.Id, SchoolId = (Guid?)r.SchoolId }
            join candidate in db.Candidates on new { Id = r.CandidateId, r.SchoolId } equals new { candidate.Id, candidate.SchoolId }
            join offer in db.JobOffers on new { Id = r.JobOfferId, r.SchoolId } equals new { offer.Id, offer.SchoolId }
            join company in db.Companies on offer.CompanyId equals company.Id
            join contact in db.CompanyContacts on r.ContactId equals contact.Id
            join staff in db.Staff on new { Id = r.CreatedByStaffId, r.SchoolId } equals new { staff.Id, staff.SchoolId }
            join school in db.Schools on r.SchoolId equals school.Id
            join own in db.EmailTemplates on new { r.SchoolId, Key = m.TemplateKey } equals new { own.SchoolId, own.Key } into owns
            from template in owns.DefaultIfEmpty()
            select new ReferralMailRow(m, r, candidate, offer, company, contact, staff, school,
                db.SchoolContacts.Any(l => l.SchoolId == r.SchoolId && l.ContactId == contact.Id && l.DeactivatedAt != null), template)));

    /// <summary>A referral's mail: composed from <see cref="ReferralMailRow"/> (the others read what they need themselves).</summary>
    public static bool IsReferralMail(OutboxMessage message) =>
        message is { ReferralId: not null, SchoolId: not null, CvPushId: null } && message.TemplateKey != TemplateKeys.CandidateRetentionWarning
        && DefaultTemplates.Exists(message.TemplateKey);

    /// <summary>
    /// The rows of several referral mails as they are now, with everything they say, in one query: a mail whose referral
    /// is gone is missing from the answer.
    /// </summary>
    public async Task<Dictionary<Guid, ReferralMailRow>> ReadReferralMailsAsync(Guid[] messageIds, CancellationToken ct)
    {
        var rows = new Dictionary<Guid, ReferralMailRow>(messageIds.Length);
        await foreach (var row in ReferralRows.For(db)(db, messageIds).WithCancellation(ct))
            rows[row.Message.Id] = row;
        return rows;
    }

    /// <summary>
    /// A claimed row as it is now (an erasure or a newer request may have changed its data or taken its claim since), for a
    /// mail composed alone: a referral's mail is composed alone only when its group did not find its referral.
    /// </summary>
    public Task<OutboxMessage?> ReadAsync(OutboxMessage claimed, CancellationToken ct) => ReadMessage.For(db)(db, claimed.Id, ct);

    private static readonly CompiledQuery<Func<PasserelleDb, string, CancellationToken, Task<EmailTemplate?>>> SchoolTemplate = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, string key, CancellationToken ct) => db.EmailTemplates.AsNoTracking().SingleOrDefault(t => t.Key == key)));

    /// <summary>
    /// Composes a mail read by <see cref="ReadAsync"/>; a row that can no longer be composed (its recipient is gone, the
    /// school turned the notification off) gives a reason instead. A referral's mail is composed from its row
    /// (<see cref="ComposeReferralAsync"/>): one that comes here found no referral.
    /// </summary>
    public async Task<(ComposedMail? Mail, string? Problem)> ComposeAsync(OutboxMessage message, DateTimeOffset now, CancellationToken ct)
    {
        if (!DefaultTemplates.Exists(message.TemplateKey))
            return (null, $"unknown template key {message.TemplateKey}");
        if (TemplateKeys.SchoolMayMute.Contains(message.TemplateKey) && message.SchoolId is { } mutingSchool
            && (await ReadSchool.For(db)(db, mutingSchool, ct)).IsMuted(message.TemplateKey))
            return (null, SchoolMuted);
        if (MailData.Parse(message.Data) is { PreparedSubject: { } subject, PreparedHtml: { } html, PreparedText: { } text } && message.ToAddress is { } to)
            return (new ComposedMail(to, message.ToName ?? to, options.FromName, subject, html, text, null, CalendarInvite.None, message.MessageId, html, text), null);
        if (message.CvPushId is { } pushId)
            return await ComposePushAsync(message, pushId, now, ct);
        if (message.TemplateKey == TemplateKeys.CandidateRetentionWarning)
            return await ComposeRetentionWarningAsync(message, ct);
        if (message.ReferralId is null)
            return await ComposeAccountMailAsync(message, now, ct);

        return (null, "the referral is gone");
    }

    /// <summary>
    /// A referral's mail, composed from its row (read by <see cref="ReadReferralMailsAsync"/>), with
    /// the action link it carries, if any: the caller saves the link before the mail leaves. Works for any school: what it
    /// reads besides the row says its school.
    /// </summary>
    public async Task<(ComposedMail? Mail, string? Problem, ActionLink? Link)> ComposeReferralAsync(ReferralMailRow row, DateTimeOffset now, CancellationToken ct)
    {
        var message = row.Message;
        var referralId = row.Referral.Id;
        var schoolId = row.Referral.SchoolId;
        if (TemplateKeys.SchoolMayMute.Contains(message.TemplateKey) && row.School.IsMuted(message.TemplateKey))
            return (null, SchoolMuted, null);
        if (message.Recipient == Recipient.CompanyContact && row.ContactSwitchedOff)
            return (null, RecipientSwitchedOff, null);
        if (message.Recipient == Recipient.Candidate && row.Candidate.ErasedAt is not null)
            return (null, RecipientErased, null);
        // The school's notice about a referral whose staff member was switched off (before an admin handed their referrals
        // over, or made since by a push or an API key of theirs) goes to the school's first active admin: not lost.
        var notified = row.Staff;
        if (message.Recipient == Recipient.ReferringStaff && notified.DeactivatedAt is not null)
        {
            notified = await db.Staff.IgnoreQueryFilters().AsNoTracking()
                .Where(s => s.SchoolId == schoolId && s.Role == Schools.StaffRole.SchoolAdmin && s.DeactivatedAt == null)
                .OrderBy(s => s.CreatedAt).FirstOrDefaultAsync(ct);
            if (notified is null)
                return (null, RecipientSwitchedOff, null);
        }

        var data = MailData.Parse(message.Data);
        var (toAddress, toName) = message.Recipient switch
        {
            Recipient.Candidate => (row.Candidate.Email, row.Candidate.DisplayName),
            Recipient.CompanyContact => (row.Contact.Email, row.Contact.DisplayName),
            Recipient.ReferringStaff => (notified.Email, notified.DisplayName),
            _ => (message.ToAddress ?? "", message.ToName ?? message.ToAddress ?? ""),
        };
        if (!EmailAddress.IsValid(toAddress))
            return (null, "the recipient's e-mail address is missing or malformed", null);

        var links = new Dictionary<string, object?>
        {
            ["portail"] = options.Link("/entreprise"),
            ["suivi"] = options.Link($"/ecole/mises-en-relation/{referralId}"),
        };
        ActionLink? link = null;
        string? token = null;
        DateTimeOffset? expiresAt = null;
        if (StepOf(message.TemplateKey) is { } step)
        {
            var recipientId = message.Recipient == Recipient.CompanyContact ? row.Contact.Id : row.Candidate.Id;
            expiresAt = data.LinksExpireAt ?? now.AddDays(row.School.LinkValidityDays);
            (link, token) = ActionLink.Create(schoolId, referralId, message.Recipient, recipientId, step, now, expiresAt.Value, message.Id);
            if (step == LinkStep.Appointment)
                link.AppointmentSequence = data.AppointmentSequence;
            // A retry composes the mail again: the links of an earlier attempt of this same mail stop working. (The first
            // attempt has none: a claim counts the attempt, so a mail claimed again after a crash is a retry too.)
            if (message.Attempts > 1)
            {
                await db.ActionLinks.IgnoreQueryFilters().Where(l => l.SchoolId == schoolId && l.OutboxMessageId == message.Id && l.RevokedAt == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(l => l.RevokedAt, now), ct);
            }
            foreach (var action in LinkAction.Of(step))
                links[action.Variable] = options.Link(action.PathFor(token));
            links["expireLe"] = $"{ParisTime.Date(expiresAt.Value)} à {ParisTime.Time(expiresAt.Value)}";
        }

        var model = RenderModel.For(row.School, row.Candidate, row.Company, row.Contact, row.Staff, row.Offer, row.Referral, data, toName, links);
        var rendered = renderer.Render(message.TemplateKey, row.Template, model, row.School.Name, expiresAt);

        string? calendar = null;
        if (message.Calendar != CalendarInvite.None && data.AppointmentStartsAt is { } startsAt)
        {
            calendar = CalendarInvitation.Write(message.Calendar, referralId, data.AppointmentSequence, startsAt,
                $"Entretien {row.Company.Name} – {row.Offer.Title}", data.AppointmentLocation, data.AppointmentComment,
                row.School.Name, options.FromAddress, toName, toAddress, now);
        }

        var fromName = $"{row.School.Name} via {options.FromName}";
        return (new ComposedMail(toAddress, toName, fromName, rendered.Subject, rendered.Html, rendered.Text, calendar, message.Calendar,
            message.MessageId, MaskToken(rendered.Html, token), MaskToken(rendered.Text, token)), null, link);
    }

    /// <summary>The warning a candidate gets 30 days before the retention job erases them (<see cref="PersonalData.Retention"/>).</summary>
    private async Task<(ComposedMail? Mail, string? Problem)> ComposeRetentionWarningAsync(OutboxMessage message, CancellationToken ct)
    {
        db.ForSchool(message.SchoolId!.Value);
        var row = await (from candidate in db.Candidates
                         where candidate.Id == message.ToPersonId
                         join school in db.Schools on candidate.SchoolId equals school.Id
                         select new { candidate, school }).AsNoTracking().SingleOrDefaultAsync(ct);
        if (row is null || row.candidate.ErasedAt is not null)
            return (null, RecipientErased);
        if (!EmailAddress.IsValid(row.candidate.Email))
            return (null, "the recipient's e-mail address is missing or malformed");
        // The date the job computed when it queued the warning.
        var erasesOn = MailData.Parse(message.Data).LinksExpireAt;
        var model = new Dictionary<string, object?>
        {
            ["ecole"] = new Dictionary<string, object?> { ["nom"] = row.school.Name },
            ["destinataire"] = new Dictionary<string, object?> { ["prenom"] = row.candidate.FirstName, ["nomComplet"] = row.candidate.DisplayName },
            ["effacementLe"] = erasesOn is { } on ? ParisTime.Date(on) : "",
        };
        var schoolTemplate = await SchoolTemplate.For(db)(db, message.TemplateKey, ct);
        var rendered = renderer.Render(message.TemplateKey, schoolTemplate, model, row.school.Name, null);
        return (new ComposedMail(row.candidate.Email, row.candidate.DisplayName, $"{row.school.Name} via {options.FromName}", rendered.Subject,
            rendered.Html, rendered.Text, null, CalendarInvite.None, message.MessageId, rendered.Html, rendered.Text), null);
    }

    /// <summary>
    /// A contact the school of the mail switched off; for a mail of no school (a password reset), one every school it
    /// worked with switched off.
    /// </summary>
    private async Task<bool> ContactSwitchedOffAsync(Guid contactId, Guid? schoolId, CancellationToken ct)
    {
        var links = await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contactId)
            .Select(l => new { l.SchoolId, Active = l.DeactivatedAt == null }).ToListAsync(ct);
        return schoolId is { } school
            ? links.Any(l => l.SchoolId == school && !l.Active)
            : links.Count > 0 && !links.Any(l => l.Active);
    }

    /// <summary>A push CV to its contact: every profile of the push, each with its own links (profile, meet, do not follow up).</summary>
    private async Task<(ComposedMail? Mail, string? Problem)> ComposePushAsync(OutboxMessage message, Guid pushId, DateTimeOffset now, CancellationToken ct)
    {
        db.ForSchool(message.SchoolId!.Value);
        var row = await (
            from push in db.CvPushes
            join contact in db.CompanyContacts on push.ContactId equals contact.Id
            join company in db.Companies on contact.CompanyId equals company.Id
            join staff in db.Staff on push.CreatedByStaffId equals staff.Id
            join school in db.Schools on push.SchoolId equals school.Id
            where push.Id == pushId
            select new
            {
                Push = push, Contact = contact, Company = company, Staff = staff, School = school,
                ContactSwitchedOff = db.SchoolContacts.Any(l => l.ContactId == contact.Id && l.DeactivatedAt != null),
            })
            .AsNoTracking().SingleOrDefaultAsync(ct);
        if (row is null)
            return (null, "the push is gone");
        if (row.ContactSwitchedOff)
            return (null, RecipientSwitchedOff);
        if (!row.School.PushCvEnabled)
            return (null, "the school turned the push CV module off");
        if (!EmailAddress.IsValid(row.Contact.Email))
            return (null, "the recipient's e-mail address is missing or malformed");
        var profiles = await (
            from profile in db.PushedProfiles
            where profile.CvPushId == pushId
            join candidate in db.Candidates on profile.CandidateId equals candidate.Id
            orderby candidate.LastName, candidate.FirstName
            select new
            {
                profile.Id, candidate.LastName, candidate.FirstName,
                Documents = (
                    from shared in db.PushedProfileDocuments
                    join document in db.Documents on shared.DocumentId equals document.Id
                    where shared.PushedProfileId == profile.Id && document.RemovedAt == null
                    select document).ToList(),
            }).AsNoTracking().ToListAsync(ct);

        var expiresAt = now.AddDays(row.School.LinkValidityDays);
        await db.ActionLinks.Where(l => l.OutboxMessageId == message.Id && l.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.RevokedAt, now), ct);
        var tokens = new List<string>();
        var listed = new List<Dictionary<string, object?>>();
        foreach (var profile in profiles)
        {
            var (link, token) = ActionLink.ForPushedProfile(row.Push.SchoolId, profile.Id, row.Contact.Id, now, expiresAt, message.Id);
            db.ActionLinks.Add(link);
            tokens.Add(token);
            var documents = string.Join(", ", profile.Documents.OrderBy(d => d.Kind.ToString(), StringComparer.Ordinal).Select(d => d.Label));
            listed.Add(RenderModel.PushedProfile(Schools.PersonName.Display(profile.LastName, profile.FirstName), documents.Length == 0 ? null : documents,
                options.Link, token));
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        var contactPerson = RenderModel.Person(row.Contact.FirstName, row.Contact.LastName, row.Contact.DisplayName);
        var model = new Dictionary<string, object?>
        {
            ["ecole"] = new Dictionary<string, object?> { ["nom"] = row.School.Name },
            ["contact"] = contactPerson,
            ["destinataire"] = contactPerson,
            ["entreprise"] = new Dictionary<string, object?> { ["nom"] = row.Company.Name },
            ["chargeRelation"] = RenderModel.Person(row.Staff.FirstName, row.Staff.LastName, row.Staff.DisplayName),
            ["message"] = row.Push.Message,
            ["profils"] = listed,
            ["liens"] = new Dictionary<string, object?>
            {
                ["portail"] = options.Link("/entreprise"),
                ["expireLe"] = $"{ParisTime.Date(expiresAt)} à {ParisTime.Time(expiresAt)}",
            },
        };
        var schoolTemplate = await SchoolTemplate.For(db)(db, message.TemplateKey, ct);
        var rendered = renderer.Render(message.TemplateKey, schoolTemplate, model, row.School.Name, expiresAt);
        string Masked(string text) => tokens.Aggregate(text, (masked, token) => masked.Replace(token, Mask, StringComparison.Ordinal));
        return (new ComposedMail(row.Contact.Email, row.Contact.DisplayName, $"{row.School.Name} via {options.FromName}", rendered.Subject,
            rendered.Html, rendered.Text, null, CalendarInvite.None, message.MessageId, Masked(rendered.Html), Masked(rendered.Text)), null);
    }

    /// <summary>Credentials (contact or staff) or a contact's password reset: a single-use link to choose a password.</summary>
    private async Task<(ComposedMail? Mail, string? Problem)> ComposeAccountMailAsync(OutboxMessage message, DateTimeOffset now, CancellationToken ct)
    {
        (AccountKind Kind, AccountTokenPurpose Purpose)? target = message.TemplateKey switch
        {
            TemplateKeys.ContactPasswordReset => (AccountKind.CompanyContact, AccountTokenPurpose.PasswordReset),
            TemplateKeys.ContactCredentials => (AccountKind.CompanyContact, AccountTokenPurpose.FirstPassword),
            TemplateKeys.StaffCredentials => (AccountKind.Staff, AccountTokenPurpose.FirstPassword),
            TemplateKeys.StaffPasswordReset => (AccountKind.Staff, AccountTokenPurpose.PasswordReset),
            TemplateKeys.ContactEmailConfirmation => (AccountKind.CompanyContact, AccountTokenPurpose.EmailChange),
            _ => null,
        };
        if (message.TemplateKey == TemplateKeys.ContactInvitation)
            return await ComposeInvitationAsync(message, ct);
        if (target is not var (kind, purpose) || message.ToPersonId is not { } accountId)
            return (null, $"{message.TemplateKey} needs a referral");

        IAccount? account = kind == AccountKind.Staff
            ? await db.Staff.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(s => s.Id == accountId, ct)
            : await db.CompanyContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == accountId, ct);
        var (email, firstName, lastName, displayName) = account switch
        {
            Schools.Staff staff => (staff.Email, staff.FirstName, staff.LastName, staff.DisplayName),
            // A new address is confirmed at that address; a newer request or a confirmation already made leaves nothing to send.
            Companies.CompanyContact contact when purpose == AccountTokenPurpose.EmailChange =>
                (contact.PendingEmail ?? "", contact.FirstName, contact.LastName, contact.DisplayName),
            Companies.CompanyContact contact => (contact.Email, contact.FirstName, contact.LastName, contact.DisplayName),
            _ => ("", "", "", ""),
        };
        if (account is null)
            return (null, "the account is gone");
        if (account is Schools.Staff { DeactivatedAt: not null } || (account is Companies.CompanyContact && await ContactSwitchedOffAsync(accountId, message.SchoolId, ct)))
            return (null, RecipientSwitchedOff);
        if (message.TemplateKey == TemplateKeys.ContactCredentials && account.PasswordHash.Length > 0)
            return (null, PasswordAlreadyChosen);
        if (purpose == AccountTokenPurpose.EmailChange && !string.Equals(email, message.ToAddress, StringComparison.OrdinalIgnoreCase))
            return (null, "the address to confirm was changed again or confirmed meanwhile");
        if (!EmailAddress.IsValid(email))
            return (null, "the recipient's e-mail address is missing or malformed");

        var school = message.SchoolId is { } schoolId ? await db.Schools.AsNoTracking().SingleOrDefaultAsync(s => s.Id == schoolId, ct) : null;
        if (school is not null)
            db.ForSchool(school.Id);
        var (token, raw) = AccountToken.Create(kind, account.Id, purpose, now);
        // An address change's link belongs to the request read with the address (Changes/Corrections.PendingEmailAsync):
        // a newer request voids it, even one made while this mail is composed.
        if (account is Companies.CompanyContact { PendingEmailRequestedAt: { } requested } && purpose == AccountTokenPurpose.EmailChange)
            token.CreatedAt = requested;
        db.AccountTokens.Add(token);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        var portal = kind == AccountKind.Staff ? "/ecole" : "/entreprise";
        var person = RenderModel.Person(firstName, lastName, displayName);
        var model = new Dictionary<string, object?>
        {
            ["ecole"] = new Dictionary<string, object?> { ["nom"] = school?.Name ?? options.FromName },
            ["contact"] = person,
            ["destinataire"] = person,
            ["identifiant"] = account.UserName,
            ["liens"] = new Dictionary<string, object?>
            {
                ["motDePasse"] = options.Link($"{portal}/mot-de-passe/{raw}"),
                ["motDePasseExpireLe"] = $"{ParisTime.Date(token.ExpiresAt)} à {ParisTime.Time(token.ExpiresAt)}",
                ["confirmation"] = options.Link($"{portal}/confirmer-adresse/{raw}"),
                ["confirmationExpireLe"] = $"{ParisTime.Date(token.ExpiresAt)} à {ParisTime.Time(token.ExpiresAt)}",
                ["portail"] = options.Link(portal),
            },
        };
        // Account mails carry a password link: always the built-in template, never one a school wrote
        // (a school template could send the link elsewhere).
        var rendered = renderer.Render(message.TemplateKey, null, model, school?.Name ?? options.FromName, null);
        var fromName = school is null ? options.FromName : $"{school.Name} via {options.FromName}";
        return (new ComposedMail(email, displayName, fromName, rendered.Subject, rendered.Html, rendered.Text, null,
            CalendarInvite.None, message.MessageId, MaskToken(rendered.Html, raw), MaskToken(rendered.Text, raw)), null);
    }

    /// <summary>A school's invitation to a contact who has an account: no password link, only the portal.</summary>
    private async Task<(ComposedMail? Mail, string? Problem)> ComposeInvitationAsync(OutboxMessage message, CancellationToken ct)
    {
        if (message.ToPersonId is not { } contactId || message.SchoolId is not { } schoolId)
            return (null, "an invitation needs a contact and a school");
        var contact = await db.CompanyContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId, ct);
        var school = await db.Schools.AsNoTracking().SingleOrDefaultAsync(s => s.Id == schoolId, ct);
        if (contact is null || school is null)
            return (null, "the contact or the school is gone");
        var person = RenderModel.Person(contact.FirstName, contact.LastName, contact.DisplayName);
        var model = new Dictionary<string, object?>
        {
            ["ecole"] = new Dictionary<string, object?> { ["nom"] = school.Name },
            ["contact"] = person,
            ["destinataire"] = person,
            ["liens"] = new Dictionary<string, object?> { ["portail"] = options.Link("/entreprise") },
        };
        var rendered = renderer.Render(message.TemplateKey, null, model, school.Name, null);
        return (new ComposedMail(contact.Email, contact.DisplayName, $"{school.Name} via {options.FromName}", rendered.Subject, rendered.Html,
            rendered.Text, null, CalendarInvite.None, message.MessageId, rendered.Html, rendered.Text), null);
    }

    /// <summary>The step whose action links a mail carries, if any.</summary>
    public static LinkStep? StepOf(string templateKey) => templateKey switch
    {
        TemplateKeys.OfferToCandidate => LinkStep.Offer,
        TemplateKeys.CandidateToCompany or TemplateKeys.ReminderToCompany => LinkStep.Company,
        TemplateKeys.AppointmentToCandidate => LinkStep.Appointment,
        _ => null,
    };

    private static string MaskToken(string text, string? token) =>
        token is null ? text : text.Replace(token, Mask, StringComparison.Ordinal);
}
