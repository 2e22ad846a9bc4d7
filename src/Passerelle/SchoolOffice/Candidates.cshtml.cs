using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Common;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>The school's candidates: list, search, create.</summary>
public sealed class CandidatesModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty]
    public CandidateForm Form { get; set; } = new();

    public IReadOnlyList<(Guid Id, string Name, string Email, int Documents)> Rows { get; private set; } = [];

    /// <summary>How many candidates match; the list shows the first <see cref="Shown"/> of them, by name.</summary>
    public int Total { get; private set; }

    public const int Shown = 500;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var problem = ModelState.IsValid ? Form.Problem() : null;
        if (!ModelState.IsValid || problem is not null)
        {
            if (problem is not null)
                ModelState.AddModelError(string.Empty, problem);
            await LoadAsync(ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var candidate = new Candidate { Id = Guid.CreateVersion7(), SchoolId = SchoolId, CreatedAt = clock.GetUtcNow() };
        Form.ApplyTo(candidate);
        // One candidate per address in the school (the CSV import knows people by it): a double click, or a colleague adding the
        // same person, points to the one there. The school's row serializes the check and the insert.
        await using (var transaction = await Db.Database.BeginTransactionAsync(ct))
        {
            await Changes.Deactivations.LockSchoolAsync(Db, ct);
            var email = candidate.Email.ToLowerInvariant();
            if (await Db.Candidates.AsNoTracking().Where(c => c.ErasedAt == null && c.Email.ToLower() == email)
                    .Select(c => new { c.Id, c.LastName, c.FirstName }).FirstOrDefaultAsync(ct) is { } known)
            {
                await transaction.RollbackAsync(ct);
                TempData["Message"] = $"{Schools.PersonName.Display(known.LastName, known.FirstName)} a déjà l'adresse {candidate.Email} : voici sa fiche.";
                return RedirectToPage("CandidateDetail", new { id = known.Id });
            }
            Db.Candidates.Add(candidate);
            await Db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        TempData["Message"] = $"{candidate.DisplayName} est ajouté(e). Ajoutez ses documents ci-dessous.";
        return RedirectToPage("CandidateDetail", new { id = candidate.Id });
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var query = Db.Candidates.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim().ToLowerInvariant();
            query = query.Where(c => c.LastName.ToLower().Contains(term) || c.FirstName.ToLower().Contains(term) || c.Email.ToLower().Contains(term));
        }
        Total = await query.CountAsync(ct);
        var rows = await query.OrderBy(c => c.LastName).ThenBy(c => c.FirstName).Take(Shown)
            .Select(c => new { c.Id, c.LastName, c.FirstName, c.Email, Documents = Db.Documents.Count(d => d.CandidateId == c.Id && d.RemovedAt == null) }).ToListAsync(ct);
        Rows = rows.Select(r => (r.Id, Schools.PersonName.Display(r.LastName, r.FirstName), r.Email, r.Documents)).ToList();
    }
}

/// <summary>A candidate's details as staff type them.</summary>
public sealed class CandidateForm : IValidatableObject
{
    [Required(ErrorMessage = "Indiquez le nom.")]
    [StringLength(100, ErrorMessage = "Le nom ne peut dépasser 100 caractères.")]
    [Display(Name = "Nom")]
    public string LastName { get; set; } = "";

    [Required(ErrorMessage = "Indiquez le prénom.")]
    [StringLength(100, ErrorMessage = "Le prénom ne peut dépasser 100 caractères.")]
    [Display(Name = "Prénom")]
    public string FirstName { get; set; } = "";

    [Required(ErrorMessage = "Indiquez l'adresse e-mail : l'offre lui sera envoyée.")]
    [StringLength(200, ErrorMessage = "L'adresse e-mail ne peut dépasser 200 caractères.")]
    [Display(Name = "Adresse e-mail")]
    public string Email { get; set; } = "";

    [StringLength(30, ErrorMessage = "Le téléphone ne peut dépasser 30 caractères.")]
    [Display(Name = "Téléphone")]
    public string? Phone { get; set; }

    /// <summary>A name of control characters alone passes [Required] but is blank once kept on one line (<see cref="OneLine"/>).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OneLine.OrNull(LastName) is null)
            yield return new ValidationResult("Indiquez le nom.", [nameof(LastName)]);
        if (OneLine.OrNull(FirstName) is null)
            yield return new ValidationResult("Indiquez le prénom.", [nameof(FirstName)]);
    }

    /// <summary>What the attributes cannot say: the address must be a plain address a mail can go to.</summary>
    public string? Problem() => EmailAddress.IsValid(Email) ? null : "L'adresse e-mail n'est pas valide.";

    public void ApplyTo(Candidate candidate)
    {
        candidate.LastName = OneLine.Of(LastName);
        candidate.FirstName = OneLine.Of(FirstName);
        candidate.Email = Email.Trim();
        candidate.Phone = OneLine.OrNull(Phone);
    }

    /// <summary>What the candidate's history says of this edit (the form checked): each field it changes.</summary>
    public Changes.ChangeSet ChangesFrom(Candidate candidate) => new Changes.ChangeSet()
        .Compare(Changes.PersonFields.LastName, candidate.LastName, OneLine.Of(LastName))
        .Compare(Changes.PersonFields.FirstName, candidate.FirstName, OneLine.Of(FirstName))
        .Compare(Changes.PersonFields.Email, candidate.Email, Email.Trim())
        .Compare(Changes.PersonFields.Phone, candidate.Phone, OneLine.OrNull(Phone));

    /// <summary>On the candidate's page, the candidate as the form showed it (<see cref="Changes.EditStamp"/>); not on the creation form.</summary>
    public string? Stamp { get; set; }

    public static readonly string[] Labels = [Changes.PersonFields.LastName, Changes.PersonFields.FirstName, Changes.PersonFields.Email, Changes.PersonFields.Phone];

    public static object?[] Fields(Candidate c) => [c.LastName, c.FirstName, c.Email, c.Phone];

    /// <summary>Merges this form with the candidate as they are now (<see cref="Changes.EditStamp.Merge"/>); the refusal when fields conflict.</summary>
    public string? MergeWith(Candidate candidate)
    {
        var merged = Changes.EditStamp.Merge(Stamp, [LastName, FirstName, Email, Phone], Fields(candidate));
        (LastName, FirstName, Email, Phone) = ((string?)merged.Values[0] ?? "", (string?)merged.Values[1] ?? "", (string?)merged.Values[2] ?? "", (string?)merged.Values[3]);
        return merged.Conflict("ce candidat", Labels, Fields(candidate));
    }

    public static CandidateForm From(Candidate candidate) => new()
    {
        LastName = candidate.LastName, FirstName = candidate.FirstName, Email = candidate.Email, Phone = candidate.Phone, Stamp = Changes.EditStamp.Of(Fields(candidate)),
    };
}
