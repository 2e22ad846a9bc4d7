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

    /// <summary>
    /// The offer as the page showed it (<see cref="EditStamp"/>): a field left as shown keeps what a colleague saved since (the
    /// active box too: a correction of the text does not switch back on an offer a colleague switched off); a field both
    /// changed is refused, said, and shown again.
    /// </summary>
    [BindProperty] public string? Stamp { get; set; }

    private static readonly string[] Labels = ["Intitulé", "Description", "Lieu", "Contrat", "Début", "État"];

    private static object?[] Fields(JobOffer o) => [o.Title, o.Description, o.Location, o.Contract, o.StartsOn, o.IsActive];

    public static IEnumerable<ContractKind> Contracts => Enum.GetValues<ContractKind>();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (Title, Description, Location, Contract, StartsOn, IsActive) = (Offer.Title, Offer.Description, Offer.Location, Offer.Contract, Offer.StartsOn, Offer.IsActive);
        Stamp = EditStamp.Of(Fields(Offer));
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
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        // Held, then read again: the offer this save overwrites.
        await Db.JobOffers.Where(o => o.Id == id).ExecuteUpdateAsync(set => set.SetProperty(o => o.Title, o => o.Title), ct);
        await Db.Entry(Offer).ReloadAsync(ct);
        var merged = EditStamp.Merge(Stamp, [Title, Description, Location, Contract, StartsOn, IsActive], Fields(Offer));
        (Title, Description, Location, Contract, StartsOn, IsActive) = ((string?)merged.Values[0], (string?)merged.Values[1], (string?)merged.Values[2],
            (ContractKind?)merged.Values[3], (DateOnly?)merged.Values[4], (bool)merged.Values[5]!);
        if (merged.Conflict("cette offre", Labels,
                [Offer.Title, Offer.Description, Offer.Location, JobOffer.ContractLabel(Offer.Contract), Offer.StartsOn, Offer.IsActive ? "Active" : "Inactive"])
            is { } conflict)
        {
            Stamp = EditStamp.Of(Fields(Offer));
            History = await ChangeHistory.LoadAsync(Db, ChangeSubject.JobOffer, id, ct);
            return Refused(conflict, StatusCodes.Status409Conflict);
        }
        var problem = await Corrections.EditOfferAsync(Db, Offer, new OfferEdit(Title, Description, Location, Contract, StartsOn, IsActive),
            StaffId, StaffName, clock.GetUtcNow(), ct);
        if (problem is not null)
        {
            // The form shows the merge: its stamp is the offer's now, so that the fields left as they were stay left.
            Stamp = EditStamp.Of(Fields(Offer));
            return Refused(problem);
        }
        await transaction.CommitAsync(ct);
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
