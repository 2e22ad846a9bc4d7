using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Companies;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A company for the school: its contacts (adding one opens their Passerelle Entreprises account and mails their
/// credentials; "Renvoyer les identifiants" mails a fresh link) and its offers (active or inactive).
/// </summary>
public sealed class CompanyDetailModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public Company Company { get; private set; } = null!;
    public IReadOnlyList<CompanyContact> Contacts { get; private set; } = [];
    public IReadOnlyList<JobOffer> Offers { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    [BindProperty]
    public ContactForm Contact { get; set; } = new();

    [BindProperty]
    public OfferForm Offer { get; set; } = new();

    public sealed class ContactForm
    {
        [StringLength(100)] public string LastName { get; set; } = "";
        [StringLength(100)] public string FirstName { get; set; } = "";
        [StringLength(200)] public string Email { get; set; } = "";
        [StringLength(30)] public string? Phone { get; set; }
    }

    public sealed class OfferForm
    {
        [StringLength(200)] public string Title { get; set; } = "";
        [StringLength(4000)] public string Description { get; set; } = "";
        [StringLength(200)] public string? Location { get; set; }
        public DateOnly? StartsOn { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostContactAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (string.IsNullOrWhiteSpace(Contact.LastName) || string.IsNullOrWhiteSpace(Contact.FirstName))
            return Invalid("Indiquez le nom et le prénom du contact.");
        if (EmailAddress.Normalize(Contact.Email) is not { } email)
            return Invalid("L'adresse e-mail du contact n'est pas valide.");

        var now = clock.GetUtcNow();
        var existing = await Db.CompanyContacts.FirstOrDefaultAsync(c => c.UserName.ToLower() == email || c.Email.ToLower() == email, ct);
        if (existing is not null && existing.CompanyId != id)
            return Invalid("Cette adresse ne peut pas être ajoutée à cette entreprise : vérifiez-la, ou ajoutez le contact depuis la fiche de son entreprise.");
        if (existing is not null && Contacts.Any(c => c.Id == existing.Id))
            return Invalid("Ce contact travaille déjà avec votre école.");
        if (existing is not null)
            return await InviteAsync(id, existing, email, now, ct);

        var contact = new CompanyContact
        {
            Id = Guid.CreateVersion7(), CompanyId = id, LastName = Contact.LastName.Trim(), FirstName = Contact.FirstName.Trim(),
            Email = email, Phone = string.IsNullOrWhiteSpace(Contact.Phone) ? null : Contact.Phone.Trim(), UserName = email, CreatedAt = now,
        };
        Db.CompanyContacts.Add(contact);
        Db.SchoolContacts.Add(new SchoolContact { SchoolId = SchoolId, ContactId = contact.Id, CreatedAt = now });
        QueueCredentials(contact, now);
        try
        {
            await Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Invalid("Ce contact vient d'être ajouté : rechargez la page.");
        }
        Message = $"{contact.DisplayName} est ajouté(e) : ses identifiants Passerelle Entreprises lui sont envoyés par e-mail.";
        return RedirectToPage(new { id });
    }

    /// <summary>
    /// The address is a contact's who already has an account (with another school): they are invited, and this school
    /// sees only the address it typed until they accept in Passerelle Entreprises. Nothing of the account is shown.
    /// </summary>
    private async Task<IActionResult> InviteAsync(Guid companyId, CompanyContact contact, string email, DateTimeOffset now, CancellationToken ct)
    {
        if (!await Db.ContactInvitations.AnyAsync(i => i.ContactId == contact.Id && i.AnsweredAt == null, ct))
        {
            Db.ContactInvitations.Add(new ContactInvitation
            {
                Id = Guid.CreateVersion7(now), SchoolId = SchoolId, CompanyId = companyId, ContactId = contact.Id, Email = email,
                InvitedByStaffId = StaffId, CreatedAt = now,
            });
            Db.OutboxMessages.Add(Outbox.ToAccount(SchoolId, TemplateKeys.ContactInvitation, contact.Id, contact.Email, contact.DisplayName, now));
            await Db.SaveChangesAsync(ct);
        }
        Message = $"Une invitation est envoyée à {email} : ce contact apparaîtra ici dès qu'il l'aura acceptée dans Passerelle Entreprises.";
        return RedirectToPage(new { id = companyId });
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
        // A contact who already chose a password uses "mot de passe oublié": no school sends password links to
        // an account another school may share.
        if (contact.PasswordHash.Length > 0)
            return Invalid($"{contact.DisplayName} a déjà choisi son mot de passe : il ou elle peut utiliser « Mot de passe oublié » sur Passerelle Entreprises.");
        QueueCredentials(contact, clock.GetUtcNow());
        await Db.SaveChangesAsync(ct);
        Message = $"Un nouveau lien pour choisir son mot de passe est envoyé à {contact.DisplayName}.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostOfferAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (string.IsNullOrWhiteSpace(Offer.Title) || string.IsNullOrWhiteSpace(Offer.Description))
            return Invalid("Indiquez l'intitulé et la description de l'offre.");
        Db.JobOffers.Add(new JobOffer
        {
            Id = Guid.CreateVersion7(), SchoolId = SchoolId, CompanyId = id, Title = Offer.Title.Trim(), Description = Offer.Description.Trim(),
            Location = string.IsNullOrWhiteSpace(Offer.Location) ? null : Offer.Location.Trim(), StartsOn = Offer.StartsOn, IsActive = true,
            CreatedAt = clock.GetUtcNow(),
        });
        await Db.SaveChangesAsync(ct);
        Message = $"L'offre « {Offer.Title.Trim()} » est ajoutée.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostToggleOfferAsync(Guid id, Guid offerId, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var offer = await Db.JobOffers.SingleOrDefaultAsync(o => o.Id == offerId && o.CompanyId == id, ct);
        if (offer is null)
            return NotFound();
        offer.IsActive = !offer.IsActive;
        await Db.SaveChangesAsync(ct);
        Message = offer.IsActive ? $"L'offre « {offer.Title} » est de nouveau active." : $"L'offre « {offer.Title} » est inactive : elle n'accepte plus de nouvelle mise en relation.";
        return RedirectToPage(new { id });
    }

    private void QueueCredentials(CompanyContact contact, DateTimeOffset now)
    {
        Db.OutboxMessages.Add(Outbox.ToAccount(SchoolId, TemplateKeys.ContactCredentials, contact.Id, contact.Email, contact.DisplayName, now));
    }

    private PageResult Invalid(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        // Only a company this school works with: another school's company answers 404 like an unknown one.
        if (await Db.Companies.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && Db.SchoolCompanies.Any(l => l.CompanyId == c.Id), ct) is not { } company)
            return false;
        Company = company;
        Contacts = await (from link in Db.SchoolContacts
                          join c in Db.CompanyContacts on link.ContactId equals c.Id
                          where c.CompanyId == id
                          orderby c.LastName
                          select c).AsNoTracking().ToListAsync(ct);
        PendingInvitations = await Db.ContactInvitations.AsNoTracking().Where(i => i.CompanyId == id && i.AnsweredAt == null)
            .OrderBy(i => i.CreatedAt).ToListAsync(ct);
        Offers = await Db.JobOffers.AsNoTracking().Where(o => o.CompanyId == id).OrderByDescending(o => o.IsActive).ThenBy(o => o.Title).ToListAsync(ct);
        return true;
    }
}
