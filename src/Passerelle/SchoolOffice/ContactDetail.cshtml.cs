using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Changes;
using Passerelle.Companies;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A company contact within the school's reach: correct their name, phone and address (a new address is confirmed by its
/// owner before it is used), and see who changed what.
/// </summary>
public sealed class ContactDetailModel(PasserelleDb db, ReferralActions actions, TimeProvider clock) : SchoolPage(db)
{
    public CompanyContact Contact { get; private set; } = null!;
    public Company Company { get; private set; } = null!;
    public IReadOnlyList<ChangeLine> History { get; private set; } = [];

    /// <summary>When the school switched the contact off; null while active.</summary>
    public DateTimeOffset? DeactivatedAt { get; private set; }

    /// <summary>The contact's referrals still open (not cancelled, no outcome), to give to another contact.</summary>
    public IReadOnlyList<OpenReferral> OpenReferrals { get; private set; } = [];

    /// <summary>The company's other contacts active with this school: whom a referral can be given to.</summary>
    public IReadOnlyList<(Guid Id, string Name)> OtherContacts { get; private set; } = [];

    public sealed record OpenReferral(Guid Id, string CandidateName, string OfferTitle, ReferralStage Stage, int Version);

    [TempData]
    public string? Message { get; set; }


    [BindProperty] public string? LastName { get; set; }
    [BindProperty] public string? FirstName { get; set; }
    [BindProperty] public string? Phone { get; set; }
    [BindProperty] public string? Email { get; set; }

    /// <summary>The contact as the page showed it (<see cref="EditStamp"/>): a colleague's or another school's correction since is kept or said.</summary>
    [BindProperty] public string? Stamp { get; set; }

    /// <summary>
    /// The new address waiting for confirmation as the page showed it (<see cref="EditStamp"/>): a colleague's request since, and
    /// this form asking for another address, is a conflict — the second request would otherwise void the first unseen.
    /// </summary>
    [BindProperty] public string? PendingStamp { get; set; }

    private static readonly string[] Labels = [PersonFields.LastName, PersonFields.FirstName, PersonFields.Phone, PersonFields.Email];

    /// <summary>The e-mail's place among the fields, and the address waiting for confirmation's place after them (in a conflict's message).</summary>
    private const int EmailField = 3, PendingField = 4;

    private static object?[] Fields(CompanyContact c) => [c.LastName, c.FirstName, c.Phone, c.Email];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (LastName, FirstName, Phone, Email) = (Contact.LastName, Contact.FirstName, Contact.Phone, Contact.Email);
        (Stamp, PendingStamp) = (EditStamp.Of(Fields(Contact)), EditStamp.Of(Contact.PendingEmail));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        // Held, then read again: the contact this save overwrites (one held already erased is refused below).
        if (await Corrections.HoldContactAsync(Db, id, ct))
        {
            await Db.Entry(Contact).ReloadAsync(ct);
            // Shown again for any refusal from here, the form holds the merge: its stamp is the contact's now.
            var (shown, shownPending) = (Stamp, PendingStamp);
            (Stamp, PendingStamp) = (EditStamp.Of(Fields(Contact)), EditStamp.Of(Contact.PendingEmail));
            var merged = EditStamp.Merge(shown, [LastName, FirstName, Phone, Email], Fields(Contact));
            (LastName, FirstName, Phone, Email) = ((string?)merged.Values[0], (string?)merged.Values[1], (string?)merged.Values[2], (string?)merged.Values[3]);
            // Another address asked for since the page showed the one waiting (or none), and this form asks for one too.
            if (shownPending is not null && shownPending != PendingStamp && Contact.PendingEmail is not null && merged.ChangedOnForm.Contains(EmailField)
                && !string.Equals(Email?.Trim(), Contact.PendingEmail, StringComparison.OrdinalIgnoreCase))
                merged = merged with { Conflicts = [.. merged.Conflicts, PendingField] };
            if (merged.Conflict("ce contact", [.. Labels, PersonFields.PendingEmail], [.. Fields(Contact), Contact.PendingEmail]) is { } conflict)
            {
                History = await ChangeHistory.LoadAsync(Db, ChangeSubject.CompanyContact, id, ct);
                return Refused(conflict, StatusCodes.Status409Conflict);
            }
        }
        var (problem, pending) = await Corrections.EditContactAsync(Db, Contact, new ContactEdit(LastName, FirstName, Phone, Email), StaffId, StaffName,
            clock.GetUtcNow(), ct);
        if (problem is null)
            await transaction.CommitAsync(ct);
        else
        {
            // Erased meanwhile: the page shows them as they are now (erased, no form), not as read before.
            if (problem == Corrections.ContactErased)
                await LoadAsync(id, ct);
            return Refused(problem);
        }
        Message = pending is null
            ? $"Les informations de {Contact.DisplayName} sont enregistrées."
            : $"Les informations de {Contact.DisplayName} sont enregistrées. Un lien de confirmation est envoyé à {pending} : " +
              "cette adresse remplacera l'actuelle dès que son titulaire l'aura confirmée.";
        return RedirectToPage(new { id });
    }


    /// <summary>"Exporter les données": the ZIP of what this school holds about the contact, recorded in their history.</summary>
    public async Task<IActionResult> OnPostExportAsync(Guid id, [FromServices] PersonalData.DataExport export, CancellationToken ct)
    {
        var archive = await export.ContactAsync(id, StaffId, StaffName, ct);
        return archive is null ? NotFound() : File(archive.Content, "application/zip", archive.FileName);
    }

    public Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken ct) => SwitchAsync(id, active: false, ct);

    public Task<IActionResult> OnPostReactivateAsync(Guid id, CancellationToken ct) => SwitchAsync(id, active: true, ct);

    private async Task<IActionResult> SwitchAsync(Guid id, bool active, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (await Deactivations.SetContactActiveAsync(Db, id, active, StaffId, StaffName, clock.GetUtcNow(), ct) is { } problem)
            return Refused(problem);
        Message = active
            ? $"{Contact.DisplayName} est de nouveau actif·ve : ce contact peut recevoir vos mises en relation."
            : $"{Contact.DisplayName} est désactivé·e : ce contact n'a plus accès à vos mises en relation et ne reçoit plus vos e-mails."
              + (OpenReferrals.Count > 0 ? " Réaffectez ses mises en relation en cours à un autre contact." : "");
        return RedirectToPage(new { id });
    }

    [BindProperty] public Guid? ReferralId { get; set; }
    [BindProperty] public Guid? NewContactId { get; set; }
    [BindProperty] public int? Version { get; set; }

    public async Task<IActionResult> OnPostReassignAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        // Only a referral this contact follows, from this page.
        if (ReferralId is not { } referralId || OpenReferrals.All(r => r.Id != referralId))
            return Refused("Cette mise en relation n'est plus suivie par ce contact : rechargez la page.", StatusCodes.Status409Conflict);
        if (NewContactId is not { } newContact)
            return Refused("Choisissez le contact à qui confier la mise en relation.");
        var result = await actions.ReassignAsync(referralId, newContact, Acting(), Version, ct);
        if (!result.Succeeded)
        {
            await LoadAsync(id, ct);
            return Refused(result.Refusal!.Message, result.Refusal.HttpStatus);
        }
        var name = OtherContacts.FirstOrDefault(c => c.Id == newContact).Name;
        Message = $"La mise en relation est confiée à {name}" +
            (result.Mails.Count > 0 ? " : le candidat lui est présenté par e-mail, avec des liens pour répondre." : ".");
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        // Only a contact who works with this school: another school's contact answers 404 like an unknown one.
        var contact = await Db.CompanyContacts.SingleOrDefaultAsync(c => c.Id == id && Db.SchoolContacts.Any(l => l.ContactId == c.Id), ct);
        if (contact is null)
            return false;
        Contact = contact;
        Company = await Db.Companies.AsNoTracking().SingleAsync(c => c.Id == contact.CompanyId, ct);
        DeactivatedAt = await Db.SchoolContacts.Where(l => l.ContactId == id).Select(l => l.DeactivatedAt).SingleAsync(ct);
        History = await ChangeHistory.LoadAsync(Db, ChangeSubject.CompanyContact, id, ct);
        OpenReferrals = (await (
            from r in Db.Referrals.AsNoTracking()
            where r.ContactId == id && r.CancelledAt == null && r.Outcome == null
            join candidate in Db.Candidates on r.CandidateId equals candidate.Id
            join offer in Db.JobOffers on r.JobOfferId equals offer.Id
            orderby r.CreatedAt
            select new { r.Id, candidate.LastName, candidate.FirstName, offer.Title, r.Stage, r.Version }).ToListAsync(ct))
            .Select(r => new OpenReferral(r.Id, Schools.PersonName.Display(r.LastName, r.FirstName), r.Title, r.Stage, r.Version)).ToList();
        OtherContacts = (await (
            from c in Db.CompanyContacts.AsNoTracking()
            where c.CompanyId == contact.CompanyId && c.Id != id && Db.SchoolContacts.Any(l => l.ContactId == c.Id && l.DeactivatedAt == null)
            orderby c.LastName, c.FirstName
            select new { c.Id, c.LastName, c.FirstName }).ToListAsync(ct))
            .Select(c => (c.Id, Schools.PersonName.Display(c.LastName, c.FirstName))).ToList();
        return true;
    }
}
