using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Changes;
using Passerelle.Common;
using Passerelle.Companies;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A company for the school: its contacts (adding one opens their Passerelle Entreprises account and mails their
/// credentials; "Renvoyer les identifiants" mails a fresh link) and its offers (active or inactive). Its name, address and
/// SIRET (until its first referral) can be corrected; the page lists the changes.
/// </summary>
public sealed class CompanyDetailModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public Company Company { get; private set; } = null!;
    public IReadOnlyList<CompanyContact> Contacts { get; private set; } = [];
    public IReadOnlyList<JobOffer> Offers { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }


    [BindProperty]
    public ContactForm Contact { get; set; } = new();

    [BindProperty]
    public OfferForm Offer { get; set; } = new();

    [BindProperty]
    public CompanyForm Edit { get; set; } = new();

    public IReadOnlyList<ChangeLine> History { get; private set; } = [];

    /// <summary>A referral was made for one of its offers: the SIRET no longer changes.</summary>
    public bool SiretFixed { get; private set; }

    /// <summary>When the school switched the company off; null while active.</summary>
    public DateTimeOffset? DeactivatedAt { get; private set; }

    /// <summary>The company's contacts the school switched off.</summary>
    public IReadOnlySet<Guid> DeactivatedContacts { get; private set; } = new HashSet<Guid>();

    public Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken ct) => SwitchAsync(id, active: false, ct);

    public Task<IActionResult> OnPostReactivateAsync(Guid id, CancellationToken ct) => SwitchAsync(id, active: true, ct);

    private async Task<IActionResult> SwitchAsync(Guid id, bool active, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (await Deactivations.SetCompanyActiveAsync(Db, id, active, StaffId, StaffName, clock.GetUtcNow(), ct) is { } problem)
            return Refused(problem);
        Message = active
            ? $"{Company.Name} est de nouveau active : ses offres actives reçoivent vos mises en relation."
            : $"{Company.Name} est désactivée : ses offres ne reçoivent plus de mises en relation. Les mises en relation en cours continuent.";
        return RedirectToPage(new { id });
    }

    public sealed class CompanyForm
    {
        public string? Name { get; set; }
        public string? Address { get; set; }
        public string? Siret { get; set; }

        /// <summary>
        /// The company as the form showed it (<see cref="EditStamp"/>): the company is shared, so another school's correction
        /// since counts too.
        /// </summary>
        public string? Stamp { get; set; }

        public static readonly string[] Labels = ["Nom", "Adresse", "SIRET"];

        public static object?[] Fields(Company c) => [c.Name, c.Address, c.Siret];

        public static CompanyForm Of(Company company) =>
            new() { Name = company.Name, Address = company.Address, Siret = company.Siret, Stamp = EditStamp.Of(Fields(company)) };
    }

    public sealed class ContactForm
    {
        [StringLength(100, ErrorMessage = "Le nom ne peut dépasser 100 caractères.")] public string LastName { get; set; } = "";
        [StringLength(100, ErrorMessage = "Le prénom ne peut dépasser 100 caractères.")] public string FirstName { get; set; } = "";
        [StringLength(200, ErrorMessage = "L'adresse e-mail ne peut dépasser 200 caractères.")] public string Email { get; set; } = "";
        [StringLength(30, ErrorMessage = "Le téléphone ne peut dépasser 30 caractères.")] public string? Phone { get; set; }
    }

    public sealed class OfferForm
    {
        [StringLength(200, ErrorMessage = "L'intitulé ne peut dépasser 200 caractères.")] public string Title { get; set; } = "";
        [StringLength(4000, ErrorMessage = "La description ne peut dépasser 4000 caractères.")] public string Description { get; set; } = "";
        [StringLength(200, ErrorMessage = "Le lieu ne peut dépasser 200 caractères.")] public string? Location { get; set; }
        public DateOnly? StartsOn { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        Edit = CompanyForm.Of(Company);
        return Page();
    }

    public async Task<IActionResult> OnPostEditAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        // Held, then read again: the company this save overwrites.
        await Db.Companies.Where(c => c.Id == id).ExecuteUpdateAsync(set => set.SetProperty(c => c.Name, c => c.Name), ct);
        var now = CompanyForm.Fields(await Db.Companies.AsNoTracking().SingleAsync(c => c.Id == id, ct));
        // A SIRET left blank (or not in the form, once fixed) is the company's: the correction never removes one.
        var merged = EditStamp.Merge(Edit.Stamp, [Edit.Name, Edit.Address, string.IsNullOrWhiteSpace(Edit.Siret) ? now[2] : Edit.Siret], now);
        (Edit.Name, Edit.Address, Edit.Siret) = ((string?)merged.Values[0], (string?)merged.Values[1], (string?)merged.Values[2]);
        if (merged.Conflict("cette entreprise", CompanyForm.Labels, now) is { } conflict)
        {
            await LoadAsync(id, ct);
            Edit.Stamp = EditStamp.Of(now);
            return Refused(conflict, StatusCodes.Status409Conflict);
        }
        var problem = await Corrections.EditCompanyAsync(Db, id, new CompanyEdit(Edit.Name, Edit.Address, Edit.Siret), StaffId, StaffName,
            clock.GetUtcNow(), ct);
        if (problem is not null)
        {
            // The form shows the merge: its stamp is the company's now, so that the fields left as they were stay left.
            Edit.Stamp = EditStamp.Of(now);
            return Invalid(problem);
        }
        await transaction.CommitAsync(ct);
        Message = "Les informations de l'entreprise sont enregistrées.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostContactAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var added = await CompanyRecords.AddContactAsync(Db, id, Contact.LastName, Contact.FirstName, Contact.Email, Contact.Phone, null,
            StaffId, clock.GetUtcNow(), ct);
        if (added.Problem is { } problem)
            return Invalid(problem);
        // An address of an account the school does not reach yet: the contact is invited, and this school sees only the
        // address it typed until they accept in Passerelle Entreprises. Nothing of the account is shown.
        Message = added.Created is { } contact
            ? $"{contact.DisplayName} est ajouté(e) : ses identifiants Passerelle Entreprises lui sont envoyés par e-mail."
            : $"Une invitation est envoyée à {added.Invitation!.Email} : ce contact apparaîtra ici dès qu'il l'aura acceptée dans Passerelle Entreprises.";
        return RedirectToPage(new { id });
    }

    /// <summary>The invitations of this school to this company's contacts that wait for an answer: only the address typed.</summary>
    public IReadOnlyList<ContactInvitation> PendingInvitations { get; private set; } = [];

    public async Task<IActionResult> OnPostResendAsync(Guid id, Guid contactId, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var contact = Contacts.FirstOrDefault(c => c.Id == contactId);
        if (contact is null)
            return NotFound();
        if (DeactivatedContacts.Contains(contact.Id))
            return Invalid($"{contact.DisplayName} est désactivé·e : réactivez ce contact avant de lui renvoyer ses identifiants.");
        // A contact who already chose a password uses "mot de passe oublié": no school sends password links to
        // an account another school may share.
        if (contact.PasswordHash.Length > 0)
            return Invalid($"{contact.DisplayName} a déjà choisi son mot de passe : il ou elle peut utiliser « Mot de passe oublié » sur Passerelle Entreprises.");
        QueueCredentials(contact, clock.GetUtcNow());
        await Db.SaveChangesAsync(ct);
        Message = $"Un nouveau lien pour choisir son mot de passe est envoyé à {contact.DisplayName}.";
        return RedirectToPage(new { id });
    }

    /// <summary>
    /// "Ajouter l'offre". The same offer sent again a moment later (a double click, the form sent twice) is the one already
    /// added, not a second: the school's row serializes the check and the insert, as for a new candidate.
    /// </summary>
    public async Task<IActionResult> OnPostOfferAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var now = clock.GetUtcNow();
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        await Deactivations.LockSchoolAsync(Db, ct);
        var (title, description, location, startsOn, since) =
            (OneLine.Of(Offer.Title ?? ""), (Offer.Description ?? "").Trim(), OneLine.OrNull(Offer.Location), Offer.StartsOn, now - SameOfferAgain);
        if (await Db.JobOffers.AnyAsync(o => o.CompanyId == id && o.CreatedAt > since && o.Title == title && o.Description == description
                && o.Location == location && o.StartsOn == startsOn, ct))
        {
            Message = $"L'offre « {title} » est ajoutée.";
            return RedirectToPage(new { id });
        }
        var (offer, problem) = await CompanyRecords.AddOfferAsync(Db, id, Offer.Title ?? "", Offer.Description ?? "", Offer.Location, Offer.StartsOn, null, now, ct);
        if (problem is not null)
            return Invalid(problem);
        await transaction.CommitAsync(ct);
        Message = $"L'offre « {offer!.Title} » est ajoutée.";
        return RedirectToPage(new { id });
    }

    /// <summary>An offer of the same company with the same title, description, place and start added this recently is the same form sent twice.</summary>
    public static readonly TimeSpan SameOfferAgain = TimeSpan.FromMinutes(2);

    /// <summary>
    /// "Rendre inactive" / "Réactiver": the state the button asked for (a double click, or a page older than a colleague's change,
    /// does not flip it back), recorded in the offer's history as its page's edit is. Not the company's spontaneous application.
    /// </summary>
    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostToggleOfferAsync(Guid id, Guid offerId, bool? active, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var offer = await Db.JobOffers.SingleOrDefaultAsync(o => o.Id == offerId && o.CompanyId == id, ct);
        if (offer is null)
            return NotFound();
        if (offer.IsSpontaneous)
            return Invalid(Corrections.SpontaneousOffer);
        if (active is not { } wanted)
            return Invalid("Choisissez de rendre l'offre active ou inactive.");
        if (offer.IsActive != wanted)
        {
            Corrections.OfferChanges(offer, new OfferEdit(offer.Title, offer.Description, offer.Location, offer.Contract, offer.StartsOn, wanted))
                .Record(Db, ChangeSubject.JobOffer, offer.Id, StaffId, StaffName, clock.GetUtcNow());
            offer.IsActive = wanted;
            await Db.SaveChangesAsync(ct);
        }
        Message = wanted ? $"L'offre « {offer.Title} » est active." : $"L'offre « {offer.Title} » est inactive : elle n'accepte plus de nouvelle mise en relation.";
        return RedirectToPage(new { id });
    }

    private void QueueCredentials(CompanyContact contact, DateTimeOffset now)
    {
        Db.OutboxMessages.Add(Outbox.ToAccount(SchoolId, TemplateKeys.ContactCredentials, contact.Id, contact.Email, contact.DisplayName, now));
    }

    private PageResult Invalid(string message)
    {
        // Another form was refused: the company's own form shows the company again, not empty fields.
        if (Edit is { Name: null, Address: null, Siret: null })
            Edit = CompanyForm.Of(Company);
        return Refused(message);
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        // Only a company this school works with: another school's company answers 404 like an unknown one.
        if (await Db.Companies.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && Db.SchoolCompanies.Any(l => l.CompanyId == c.Id), ct) is not { } company)
            return false;
        Company = company;
        var contacts = await (from link in Db.SchoolContacts
                              join c in Db.CompanyContacts on link.ContactId equals c.Id
                              where c.CompanyId == id
                              orderby c.LastName
                              select new { Contact = c, link.DeactivatedAt }).AsNoTracking().ToListAsync(ct);
        Contacts = [.. contacts.Select(c => c.Contact)];
        DeactivatedContacts = contacts.Where(c => c.DeactivatedAt is not null).Select(c => c.Contact.Id).ToHashSet();
        DeactivatedAt = await Db.SchoolCompanies.Where(l => l.CompanyId == id).Select(l => l.DeactivatedAt).SingleAsync(ct);
        PendingInvitations = await Db.ContactInvitations.AsNoTracking().Where(i => i.CompanyId == id && i.AnsweredAt == null)
            .OrderBy(i => i.CreatedAt).ToListAsync(ct);
        Offers = await Db.JobOffers.AsNoTracking().Where(o => o.CompanyId == id).OrderByDescending(o => o.IsActive).ThenBy(o => o.Title).ToListAsync(ct);
        History = await ChangeHistory.LoadAsync(Db, ChangeSubject.Company, id, ct);
        SiretFixed = await Corrections.SiretIsFixedAsync(Db, id, ct);
        return true;
    }
}
