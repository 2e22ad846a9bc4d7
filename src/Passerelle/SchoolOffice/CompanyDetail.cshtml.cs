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
public sealed class CompanyDetailModel(PasserelleDb db, TimeProvider clock, OutboxSignal signal) : SchoolPage(db)
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
        var email = (Contact.Email ?? "").Trim().ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(Contact.LastName) || string.IsNullOrWhiteSpace(Contact.FirstName))
            return Invalid("Indiquez le nom et le prénom du contact.");
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || parsed.DisplayName.Length > 0)
            return Invalid("L'adresse e-mail du contact n'est pas valide.");

        var now = clock.GetUtcNow();
        var existing = await Db.CompanyContacts.FirstOrDefaultAsync(c => c.UserName.ToLower() == email || c.Email.ToLower() == email, ct);
        if (existing is not null && existing.CompanyId != id)
            return Invalid("Cette adresse est déjà celle d'un contact d'une autre entreprise.");
        if (existing is not null && Contacts.Any(c => c.Id == existing.Id))
            return Invalid("Ce contact travaille déjà avec votre école.");

        var contact = existing ?? new CompanyContact
        {
            Id = Guid.CreateVersion7(), CompanyId = id, LastName = Contact.LastName.Trim(), FirstName = Contact.FirstName.Trim(),
            Email = email, Phone = string.IsNullOrWhiteSpace(Contact.Phone) ? null : Contact.Phone.Trim(), UserName = email, CreatedAt = now,
        };
        if (existing is null)
            Db.CompanyContacts.Add(contact);
        Db.SchoolContacts.Add(new SchoolContact { SchoolId = SchoolId, ContactId = contact.Id, CreatedAt = now });
        // A contact who already has an account (with another school) keeps their password: no credentials mail.
        if (existing is null)
            QueueCredentials(contact, now);
        try
        {
            await Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Invalid("Ce contact vient d'être ajouté : rechargez la page.");
        }
        signal.Notify();
        Message = existing is null
            ? $"{contact.DisplayName} est ajouté(e) : ses identifiants Passerelle Entreprises lui sont envoyés par e-mail."
            : $"{contact.DisplayName} avait déjà un compte Passerelle Entreprises : il ou elle voit maintenant aussi votre école.";
        return Redirect($"/ecole/entreprises/{id}");
    }

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
        signal.Notify();
        Message = $"Un nouveau lien pour choisir son mot de passe est envoyé à {contact.DisplayName}.";
        return Redirect($"/ecole/entreprises/{id}");
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
        return Redirect($"/ecole/entreprises/{id}");
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
        return Redirect($"/ecole/entreprises/{id}");
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
        Offers = await Db.JobOffers.AsNoTracking().Where(o => o.CompanyId == id).OrderByDescending(o => o.IsActive).ThenBy(o => o.Title).ToListAsync(ct);
        return true;
    }
}
