using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Changes;
using Passerelle.Companies;
using Passerelle.JobOffers;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// An offer of the school: correct it (title, description, place, contract, start, active) and see who changed what.
/// Mails already sent keep what they said.
/// </summary>
public sealed class OfferDetailModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public JobOffer Offer { get; private set; } = null!;
    public Company Company { get; private set; } = null!;
    public IReadOnlyList<ChangeLine> History { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }


    [BindProperty] public string? Title { get; set; }
    // As long as creation, the import and the API allow (the forms' default bound is 2,000 characters).
    [BindProperty]
    [System.ComponentModel.DataAnnotations.StringLength(4000, ErrorMessage = "La description ne peut dépasser 4000 caractères.")]
    public string? Description { get; set; }
    [BindProperty] public string? Location { get; set; }
    [BindProperty] public ContractKind? Contract { get; set; }
    [BindProperty] public DateOnly? StartsOn { get; set; }
    [BindProperty] public bool IsActive { get; set; }

    /// <summary>The state the page showed: a box left as it was keeps the state a colleague may have set since.</summary>
    [BindProperty] public bool? WasActive { get; set; }

    public static IEnumerable<ContractKind> Contracts => Enum.GetValues<ContractKind>();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (Title, Description, Location, Contract, StartsOn, IsActive) = (Offer.Title, Offer.Description, Offer.Location, Offer.Contract, Offer.StartsOn, Offer.IsActive);
        return Page();
    }

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        // A value the form cannot send (an unknown contract, a malformed date) is a refusal, not a silent blank; the page
        // shows it with what was typed.
        if (!ModelState.IsValid)
            return Refused(ModelState[nameof(Description)]?.Errors.FirstOrDefault()?.ErrorMessage ?? "Vérifiez le type de contrat et la date de début.");
        // A correction of the text from a page opened before a colleague switched the offer off does not switch it back on.
        var active = WasActive is { } shown && shown == IsActive ? Offer.IsActive : IsActive;
        var problem = await Corrections.EditOfferAsync(Db, Offer, new OfferEdit(Title, Description, Location, Contract, StartsOn, active),
            StaffId, StaffName, clock.GetUtcNow(), ct);
        if (problem is not null)
            return Refused(problem);
        Message = $"L'offre « {Offer.Title} » est enregistrée.";
        return RedirectToPage(new { id });
    }


    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await Db.JobOffers.SingleOrDefaultAsync(o => o.Id == id, ct) is not { } offer)
            return false;
        Offer = offer;
        Company = await Db.Companies.AsNoTracking().SingleAsync(c => c.Id == offer.CompanyId, ct);
        History = await ChangeHistory.LoadAsync(Db, ChangeSubject.JobOffer, id, ct);
        return true;
    }
}
