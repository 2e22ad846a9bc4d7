using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Changes;
using Passerelle.Companies;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A company contact within the school's reach: correct their name, phone and address (a new address is confirmed by its
/// owner before it is used), and see who changed what.
/// </summary>
public sealed class ContactDetailModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public CompanyContact Contact { get; private set; } = null!;
    public Company Company { get; private set; } = null!;
    public IReadOnlyList<ChangeLine> History { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }


    [BindProperty] public string? LastName { get; set; }
    [BindProperty] public string? FirstName { get; set; }
    [BindProperty] public string? Phone { get; set; }
    [BindProperty] public string? Email { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (LastName, FirstName, Phone, Email) = (Contact.LastName, Contact.FirstName, Contact.Phone, Contact.Email);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var (problem, pending) = await Corrections.EditContactAsync(Db, Contact, new ContactEdit(LastName, FirstName, Phone, Email), StaffId, StaffName,
            clock.GetUtcNow(), ct);
        if (problem is not null)
            return Refused(problem);
        Message = pending is null
            ? $"Les informations de {Contact.DisplayName} sont enregistrées."
            : $"Les informations de {Contact.DisplayName} sont enregistrées. Un lien de confirmation est envoyé à {pending} : " +
              "cette adresse remplacera l'actuelle dès que son titulaire l'aura confirmée.";
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
        History = await ChangeHistory.LoadAsync(Db, ChangeSubject.CompanyContact, id, ct);
        return true;
    }
}
