using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Changes;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.PersonalData;

/// <summary>
/// "Exporter les données" (RGPD: right of access and portability): one ZIP with everything the school holds about a
/// candidate or a company contact — a JSON file (identity, referrals with their timelines and answers, profiles pushed,
/// the looks of contacts at a candidate's profile, a contact's invitations, mails sent to them with their text, documents,
/// the history of their record), the documents themselves, and a README.txt in French
/// explaining each file. The export is recorded in the person's history. A contact is shared between schools: the
/// school exports what it holds.
/// </summary>
public sealed class DataExport(PasserelleDb db, DocumentStorage storage, TimeProvider clock)
{
    public const string DataFile = "donnees.json";
    public const string ReadmeFile = "LISEZMOI.txt";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    public sealed record Archive(string FileName, byte[] Content);

    /// <summary>The candidate's archive, or null when the candidate is not of the context's school.</summary>
    public async Task<Archive?> CandidateAsync(Guid candidateId, Guid staffId, string staffName, CancellationToken ct)
    {
        var candidate = await db.Candidates.AsNoTracking().SingleOrDefaultAsync(c => c.Id == candidateId, ct);
        if (candidate is null)
            return null;
        var school = await SchoolAsync(ct);
        var documents = await db.Documents.AsNoTracking().Where(d => d.CandidateId == candidateId).OrderBy(d => d.UploadedAt).ToListAsync(ct);
        var referrals = await ReferralsAsync(db.Referrals.Where(r => r.CandidateId == candidateId), school.Name, ct);
        var referralIds = referrals.Select(r => r.Id).ToList();
        var mails = await MailsAsync(db.OutboxMessages.Where(m =>
            (m.ReferralId != null && referralIds.Contains(m.ReferralId.Value) && m.Recipient == Recipient.Candidate)
            || (m.ToPersonId == candidateId && m.SchoolId == db.SchoolId)), ct);
        var pushed = await (
            from p in db.PushedProfiles.AsNoTracking()
            where p.CandidateId == candidateId
            join contact in db.CompanyContacts on p.ContactId equals contact.Id
            join company in db.Companies on contact.CompanyId equals company.Id
            orderby p.PushedAt
            select new { p.Id, p.PushedAt, p.State, p.AnsweredAt, p.DeclineReason, company.Name }).ToListAsync(ct);
        var pushedIds = pushed.Select(p => p.Id).ToList();
        var views = await ViewsAsync(db.ProfileViews.Where(v => (v.ReferralId != null && referralIds.Contains(v.ReferralId.Value))
            || (v.PushedProfileId != null && pushedIds.Contains(v.PushedProfileId.Value))), ct);

        var files = new List<(string Path, Document Document)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var documentEntries = documents.Select(d =>
        {
            string? path = null;
            if (d.RemovedAt is null)
            {
                path = Unique(names, $"documents/{DocumentStorage.DownloadName(d)}");
                files.Add((path, d));
            }
            return new DocumentEntry(d.Id, Document.KindLabel(d.Kind), d.RemovedAt is null ? d.Title : null, path, d.ContentType, d.SizeBytes, d.UploadedAt, d.RemovedAt);
        }).ToList();

        var data = new CandidateData(
            clock.GetUtcNow(), school.Name,
            new CandidateIdentity(candidate.Id, candidate.LastName, candidate.FirstName, candidate.Email, candidate.Phone, candidate.ExternalId,
                candidate.CreatedAt, candidate.PushConsentAt, candidate.PushConsentRecordedBy),
            documentEntries, referrals,
            [.. pushed.Select(p => new PushedProfileEntry(p.Id, p.PushedAt, p.Name, p.State.ToString(), p.AnsweredAt, p.DeclineReason))],
            views, mails, await HistoryAsync(ChangeSubject.Candidate, candidateId, ct));
        await RecordAsync(ChangeSubject.Candidate, candidateId, staffId, staffName, ct);
        return new Archive($"donnees-{Slug(candidate.DisplayName)}.zip", await ZipAsync(data, CandidateReadme(school.Name), files, ct));
    }

    /// <summary>A contact's archive (what this school holds), or null when the contact does not work with the context's school.</summary>
    public async Task<Archive?> ContactAsync(Guid contactId, Guid staffId, string staffName, CancellationToken ct)
    {
        var row = await (
            from link in db.SchoolContacts.AsNoTracking()
            where link.ContactId == contactId
            join contact in db.CompanyContacts on link.ContactId equals contact.Id
            join company in db.Companies on contact.CompanyId equals company.Id
            select new { contact, company.Name, link.CreatedAt, link.ExternalId, link.DeactivatedAt }).SingleOrDefaultAsync(ct);
        if (row is null)
            return null;
        var school = await SchoolAsync(ct);
        var referrals = await ReferralsAsync(db.Referrals.Where(r => r.ContactId == contactId), school.Name, ct);
        var referralIds = referrals.Select(r => r.Id).ToList();
        var pushIds = await db.CvPushes.Where(p => p.ContactId == contactId).Select(p => p.Id).ToListAsync(ct);
        var pushedToThem = await (
            from p in db.PushedProfiles.AsNoTracking()
            where p.ContactId == contactId
            join candidate in db.Candidates on p.CandidateId equals candidate.Id
            orderby p.PushedAt
            select new { p.Id, p.PushedAt, p.State, p.AnsweredAt, p.DeclineReason, candidate.LastName, candidate.FirstName }).ToListAsync(ct);
        var invitations = await (
            from i in db.ContactInvitations.AsNoTracking()
            where i.ContactId == contactId
            join staff in db.Staff on i.InvitedByStaffId equals staff.Id
            orderby i.CreatedAt
            select new { i.CreatedAt, i.Email, staff.LastName, staff.FirstName, i.AnsweredAt, i.Accepted }).ToListAsync(ct);
        var mails = await MailsAsync(db.OutboxMessages.Where(m =>
            (m.ReferralId != null && referralIds.Contains(m.ReferralId.Value) && m.Recipient == Recipient.CompanyContact)
            || (m.CvPushId != null && pushIds.Contains(m.CvPushId.Value)) || (m.ToPersonId == contactId && m.SchoolId == db.SchoolId)), ct);
        var c = row.contact;
        var data = new ContactData(
            clock.GetUtcNow(), school.Name,
            new ContactIdentity(c.Id, c.LastName, c.FirstName, c.Email, c.Phone, c.UserName, row.Name, row.CreatedAt, row.ExternalId, row.DeactivatedAt),
            referrals,
            [.. pushedToThem.Select(p => new ProfilePushedToContactEntry(p.Id, p.PushedAt, PersonName.Display(p.LastName, p.FirstName), p.State.ToString(),
                p.AnsweredAt, p.DeclineReason))],
            await ViewsAsync(db.ProfileViews.Where(v => v.ContactId == contactId), ct),
            [.. invitations.Select(i => new InvitationEntry(i.CreatedAt, i.Email, PersonName.Display(i.LastName, i.FirstName), i.AnsweredAt, i.Accepted))],
            mails, await HistoryAsync(ChangeSubject.CompanyContact, contactId, ct));
        await RecordAsync(ChangeSubject.CompanyContact, contactId, staffId, staffName, ct);
        return new Archive($"donnees-{Slug(c.DisplayName)}.zip", await ZipAsync(data, ContactReadme(school.Name), [], ct));
    }

    private async Task<School> SchoolAsync(CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        return await db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct);
    }

    private async Task<List<ReferralEntry>> ReferralsAsync(IQueryable<Referral> referrals, string schoolName, CancellationToken ct)
    {
        var rows = await (
            from r in referrals.AsNoTracking()
            join candidate in db.Candidates on r.CandidateId equals candidate.Id
            join offer in db.JobOffers on r.JobOfferId equals offer.Id
            join company in db.Companies on offer.CompanyId equals company.Id
            join contact in db.CompanyContacts on r.ContactId equals contact.Id
            orderby r.CreatedAt
            select new { r, candidate.LastName, candidate.FirstName, offer.Title, Company = company.Name, ContactLast = contact.LastName, ContactFirst = contact.FirstName })
            .ToListAsync(ct);
        var ids = rows.Select(x => x.r.Id).ToList();
        var events = (await db.ReferralEvents.AsNoTracking().Where(e => ids.Contains(e.ReferralId)).OrderBy(e => e.Sequence).ToListAsync(ct))
            .ToLookup(e => e.ReferralId);
        var shared = (await (from s in db.ReferralDocuments.AsNoTracking()
                             where ids.Contains(s.ReferralId)
                             join d in db.Documents on s.DocumentId equals d.Id
                             select new { s.ReferralId, Document = d }).ToListAsync(ct)).ToLookup(x => x.ReferralId, x => x.Document);
        return [.. rows.Select(x =>
        {
            var candidateName = PersonName.Display(x.LastName, x.FirstName);
            var r = x.r;
            return new ReferralEntry(r.Id, x.Title, x.Company, PersonName.Display(x.ContactLast, x.ContactFirst), candidateName,
                SchoolOffice.SchoolPage.StageLabel(r.Stage), r.CreatedAt, r.AppointmentStartsAt, r.AppointmentLocation, r.CancellationReason,
                [.. shared[r.Id].Select(d => SharedDocument.Of(d).Label)],
                [.. events[r.Id].Select(e =>
                {
                    var line = TimelineText.Describe(e, candidateName, x.Company, schoolName);
                    return new TimelineEntry(e.OccurredAt, line.Title, line.What, e.Comment, e.ActorName);
                })]);
        })];
    }

    /// <summary>Every look of a contact at a candidate's profile or documents, oldest first, as the school's page lists them.</summary>
    private async Task<List<ViewEntry>> ViewsAsync(IQueryable<ProfileView> views, CancellationToken ct) =>
        [.. (await ProfileViews.AllAsync(db, views, ct)).Select(v => new ViewEntry(v.Line.At, v.Line.What, v.Line.Who, v.View.Channel.ToString(),
            v.View.ReferralId, v.View.PushedProfileId))];

    private static async Task<List<MailEntry>> MailsAsync(IQueryable<OutboxMessage> messages, CancellationToken ct) =>
        [.. (await messages.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync(ct)).Select(m => new MailEntry(
            m.CreatedAt, m.SentAt, m.State.ToString(), m.TemplateKey, m.Subject, m.TextBody))];

    /// <summary>The edits of their record, oldest first, as the page's *Historique* lists them (another school's without its exports).</summary>
    private async Task<List<HistoryEntry>> HistoryAsync(ChangeSubject kind, Guid subjectId, CancellationToken ct) =>
        [.. (await ChangeHistory.LoadAsync(db, kind, subjectId, ct, max: null)).Reverse()
            .Select(line => new HistoryEntry(line.ChangedAt, line.Who, [.. line.Fields.Select(f => new FieldEntry(f.Field, f.Before, f.After, f.ValuesErased))]))];

    private async Task RecordAsync(ChangeSubject kind, Guid subjectId, Guid staffId, string staffName, CancellationToken ct)
    {
        new ChangeSet().Note("Export des données : archive ZIP remise").Record(db, kind, subjectId, staffId, staffName, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    private async Task<byte[]> ZipAsync(object data, string readme, List<(string Path, Document Document)> files, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = await zip.CreateEntry(DataFile, CompressionLevel.Optimal).OpenAsync(ct))
                await JsonSerializer.SerializeAsync(entry, data, data.GetType(), Json, ct);
            await using (var entry = await zip.CreateEntry(ReadmeFile, CompressionLevel.Optimal).OpenAsync(ct))
                await entry.WriteAsync(Encoding.UTF8.GetBytes(readme.ReplaceLineEndings("\r\n")), ct);
            foreach (var (path, document) in files)
            {
                await using var content = storage.OpenRead(document);
                if (content is null)
                    continue; // a file missing from storage: listed in the JSON, not in the archive
                await using var entry = await zip.CreateEntry(path, CompressionLevel.Optimal).OpenAsync(ct);
                await content.CopyToAsync(entry, ct);
            }
        }
        return buffer.ToArray();
    }

    private static string Unique(HashSet<string> names, string path)
    {
        var candidate = path;
        for (var i = 2; !names.Add(candidate); i++)
            candidate = $"{Path.ChangeExtension(path, null)} ({i}){Path.GetExtension(path)}";
        return candidate;
    }

    private static string Slug(string name) =>
        string.Concat(name.Normalize(NormalizationForm.FormD).Where(ch => char.IsAsciiLetterOrDigit(ch) || ch == ' ')).Trim().Replace(' ', '-').ToLowerInvariant();

    private static string CandidateReadme(string school) => $"""
        Données personnelles détenues par {school} dans Passerelle
        ============================================================

        Cette archive contient tout ce que {school} conserve à votre sujet dans Passerelle, l'outil qu'elle utilise
        pour vous mettre en relation avec des entreprises. Vous pouvez la conserver, la lire ou la transmettre à un
        autre service (droit d'accès et droit à la portabilité, articles 15 et 20 du RGPD).

        {DataFile}
          Un fichier JSON (lisible avec un éditeur de texte ou un tableur) :
          - exportedAt : la date de l'export (UTC) ; school : l'école.
          - candidate : votre identité telle que l'école l'a enregistrée (nom, prénom, adresse e-mail, téléphone,
            identifiant dans le logiciel de l'école, date de création, votre accord pour que votre profil soit
            proposé à des entreprises et qui l'a enregistré).
          - documents : vos documents (type, titre, fichier dans l'archive, date de dépôt ; un document retiré
            n'a plus de fichier ni de titre).
          - referrals : chaque mise en relation (offre, entreprise, contact, étape, rendez-vous, documents partagés
            avec l'entreprise) et son suivi : chaque réponse, avec sa date, son commentaire et qui l'a donnée.
          - pushedProfiles : les entreprises à qui votre profil a été proposé sans offre, et leur réponse.
          - views : chaque consultation de votre profil ou d'un de vos documents par un contact entreprise (date,
            document, contact, par le portail ou un lien d'e-mail, et la mise en relation ou la proposition concernée).
          - mails : les e-mails que Passerelle vous a envoyés, avec leur objet et leur texte (les liens personnels
            y sont masqués), ou en attente d'envoi.
          - history : les modifications de votre fiche (date, auteur, chaque champ avant et après) et ses exports.

        documents/
          Vos documents, tels que vous ou l'école les avez déposés.

        Pour toute question, ou pour demander la rectification ou l'effacement de ces données, adressez-vous à {school}.
        """;

    private static string ContactReadme(string school) => $"""
        Données personnelles détenues par {school} dans Passerelle
        ============================================================

        Cette archive contient ce que {school} conserve à votre sujet dans Passerelle, l'outil qu'elle utilise pour
        proposer des candidats aux entreprises (droit d'accès et droit à la portabilité, articles 15 et 20 du RGPD).
        Votre compte Passerelle Entreprises peut aussi servir à d'autres centres de formation : chacun répond pour
        les données qu'il détient.

        {DataFile}
          Un fichier JSON (lisible avec un éditeur de texte) :
          - exportedAt : la date de l'export (UTC) ; school : l'école.
          - contact : votre identité (nom, prénom, adresse e-mail, téléphone, identifiant de connexion, entreprise),
            depuis quand vous travaillez avec l'école, et si l'école a désactivé votre accès.
          - referrals : les mises en relation que l'école vous a adressées (candidat, offre, étape, rendez-vous)
            et leur suivi : chaque réponse, avec sa date, son commentaire et qui l'a donnée.
          - pushedProfiles : les profils de candidats que l'école vous a proposés sans offre, et votre réponse.
          - views : chaque consultation que vous avez faite d'un profil ou d'un document de candidat (date, document,
            par le portail ou un lien d'e-mail, et la mise en relation ou la proposition concernée).
          - invitations : les invitations de l'école à travailler avec elle (date, adresse saisie, qui vous a invité,
            votre réponse).
          - mails : les e-mails que Passerelle vous a envoyés pour l'école, avec leur objet et leur texte (les liens
            personnels y sont masqués), ou en attente d'envoi.
          - history : les modifications de votre fiche (date, auteur, chaque champ avant et après ; celles d'un autre
            centre de formation sans son nom, ces informations étant partagées) et les exports faits par l'école.

        Pour toute question, ou pour demander la rectification ou l'effacement de ces données, adressez-vous à {school}.
        """;

    private sealed record CandidateData(DateTimeOffset ExportedAt, string School, CandidateIdentity Candidate, List<DocumentEntry> Documents,
        List<ReferralEntry> Referrals, List<PushedProfileEntry> PushedProfiles, List<ViewEntry> Views, List<MailEntry> Mails, List<HistoryEntry> History);

    private sealed record CandidateIdentity(Guid Id, string LastName, string FirstName, string Email, string? Phone, string? ExternalId,
        DateTimeOffset CreatedAt, DateTimeOffset? PushConsentAt, string? PushConsentRecordedBy);

    private sealed record ContactData(DateTimeOffset ExportedAt, string School, ContactIdentity Contact, List<ReferralEntry> Referrals,
        List<ProfilePushedToContactEntry> PushedProfiles, List<ViewEntry> Views, List<InvitationEntry> Invitations, List<MailEntry> Mails,
        List<HistoryEntry> History);

    private sealed record ContactIdentity(Guid Id, string LastName, string FirstName, string Email, string? Phone, string UserName, string Company,
        DateTimeOffset WorksWithSchoolSince, string? ExternalId, DateTimeOffset? DeactivatedAt);

    private sealed record DocumentEntry(Guid Id, string Kind, string? Title, string? File, string ContentType, long SizeBytes,
        DateTimeOffset UploadedAt, DateTimeOffset? RemovedAt);

    private sealed record ReferralEntry(Guid Id, string Offer, string Company, string Contact, string Candidate, string Stage, DateTimeOffset CreatedAt,
        DateTimeOffset? AppointmentStartsAt, string? AppointmentLocation, string? CancellationReason, List<string> SharedDocuments, List<TimelineEntry> Timeline);

    private sealed record TimelineEntry(DateTimeOffset At, string Title, string What, string? Comment, string By);

    private sealed record PushedProfileEntry(Guid Id, DateTimeOffset PushedAt, string Company, string State, DateTimeOffset? AnsweredAt, string? DeclineReason);

    private sealed record ProfilePushedToContactEntry(Guid Id, DateTimeOffset PushedAt, string Candidate, string State, DateTimeOffset? AnsweredAt,
        string? DeclineReason);

    /// <summary>A look at a profile ("Profil") or a document, by which contact, through which channel, for which referral or pushed profile.</summary>
    private sealed record ViewEntry(DateTimeOffset At, string What, string Contact, string Channel, Guid? ReferralId, Guid? PushedProfileId);

    private sealed record InvitationEntry(DateTimeOffset At, string Email, string InvitedBy, DateTimeOffset? AnsweredAt, bool Accepted);

    private sealed record HistoryEntry(DateTimeOffset At, string By, List<FieldEntry> Changes);

    /// <summary>A field before and after; a note (an export, an erasure) has neither, nor a field whose values were erased.</summary>
    private sealed record FieldEntry(string Field, string? Before, string? After, bool ValuesErased);

    private sealed record MailEntry(DateTimeOffset QueuedAt, DateTimeOffset? SentAt, string State, string Template, string? Subject, string? Text);
}
