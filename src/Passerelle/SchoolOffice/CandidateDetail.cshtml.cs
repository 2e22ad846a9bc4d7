using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A candidate: details, documents, and the upload form (handled by <see cref="CandidateDocuments"/>).
/// </summary>
public sealed class CandidateDetailModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public Candidate Candidate { get; private set; } = null!;
    public IReadOnlyList<Document> Documents { get; private set; } = [];

    /// <summary>The details form; bound by its own handler only (the consent form posts nothing of it).</summary>
    public CandidateForm Form { get; set; } = new();

    [TempData]
    public string? Message { get; set; }

    /// <summary>Why the last upload was refused, from <see cref="CandidateDocuments"/>.</summary>
    [BindProperty(SupportsGet = true, Name = "refus")]
    public string? UploadRefusal { get; set; }

    public string? UploadError => UploadRefusal is null ? null : CandidateDocuments.Explain(UploadRefusal);

    /// <summary>The edits of the candidate's record and what was done with their data (exports, erasure), newest first.</summary>
    public IReadOnlyList<Changes.ChangeLine> History { get; private set; } = [];

    /// <summary>"Exporter les données": the ZIP of everything the school holds about the candidate, recorded in their history.</summary>
    public async Task<IActionResult> OnPostExportAsync(Guid id, [FromServices] PersonalData.DataExport export, CancellationToken ct)
    {
        var archive = await export.CandidateAsync(id, StaffId, StaffName, ct);
        return archive is null ? NotFound() : File(archive.Content, "application/zip", archive.FileName);
    }

    /// <summary>What erasing the candidate would take away (shown to admins with the confirmation); null once erased.</summary>
    public PersonalData.Erased? ErasurePreview { get; private set; }

    /// <summary>"Effacer le candidat" (admins, confirmed): see <see cref="PersonalData.Erasure"/>.</summary>
    public async Task<IActionResult> OnPostEraseAsync(Guid id, bool confirm, [FromServices] PersonalData.Erasure erasure, CancellationToken ct)
    {
        if (!IsAdmin)
            return Forbid();
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (Candidate.ErasedAt is not null)
            return Refused("Ce candidat est déjà effacé.", StatusCodes.Status409Conflict);
        if (!confirm)
            return Refused("Cochez la case de confirmation : l'effacement est définitif.");
        var erased = await erasure.EraseCandidateAsync(id, Acting(), StaffId, ct);
        if (erased is null)
            return Refused("Ce candidat est déjà effacé.", StatusCodes.Status409Conflict);
        Message = $"Le candidat est effacé : {erased.Documents} document(s) supprimé(s), {erased.Cancelled} mise(s) en relation en cours annulée(s), " +
            $"{erased.Mails} copie(s) d'e-mail réduite(s) à l'objet et à la date.";
        return RedirectToPage(new { id });
    }

    /// <summary>The document a new version was just stored for (the upload's redirect says so).</summary>
    [BindProperty(SupportsGet = true, Name = "remplace")]
    public Guid? Replaced { get; set; }

    /// <summary>
    /// Removes one of the candidate's documents: its file is deleted from storage; the referrals and pushed profiles that
    /// shared it say "document retiré".
    /// </summary>
    public async Task<IActionResult> OnPostRemoveDocumentAsync(Guid id, Guid documentId, [FromServices] DocumentStorage storage, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var document = await Db.Documents.SingleOrDefaultAsync(d => d.Id == documentId && d.CandidateId == id, ct);
        if (document is null)
            return NotFound();
        if (document.RemovedAt is not null)
            return Refused("Ce document est déjà retiré.", StatusCodes.Status409Conflict);
        await storage.RemoveAsync(Db, document, clock.GetUtcNow(), ct);
        Message = $"Le document « {document.Label} » est retiré : son fichier est supprimé, et les mises en relation qui le partageaient indiquent « document retiré ».";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        Form = CandidateForm.From(Candidate);
        return Page();
    }

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(Guid id, [Bind(Prefix = nameof(Form))] CandidateForm form, CancellationToken ct)
    {
        Form = form;
        if (!await LoadAsync(id, ct))
            return NotFound();
        var problem = ModelState.IsValid ? Form.Problem() : null;
        if (!ModelState.IsValid || problem is not null)
        {
            if (problem is not null)
                ModelState.AddModelError(string.Empty, problem);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var candidate = await Db.Candidates.SingleAsync(c => c.Id == id, ct);
        if (candidate.ErasedAt is not null)
            return Refused(ErasedNoEdit, StatusCodes.Status409Conflict);
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        // Held, then read again: the candidate this save overwrites.
        await Db.Candidates.Where(c => c.Id == id).ExecuteUpdateAsync(set => set.SetProperty(c => c.LastName, c => c.LastName), ct);
        await Db.Entry(candidate).ReloadAsync(ct);
        if (candidate.ErasedAt is not null)
            return await ErasedMeanwhileAsync(id, ct);
        if (Form.MergeWith(candidate) is { } conflict)
        {
            // The form shows the merge (what was typed, and the others' corrections elsewhere); saving again overwrites the conflict.
            await LoadAsync(id, ct);
            Form.Stamp = Changes.EditStamp.Of(CandidateForm.Fields(candidate));
            ModelState.Clear();
            return Refused(conflict, StatusCodes.Status409Conflict);
        }
        Form.ChangesFrom(candidate).Record(Db, Changes.ChangeSubject.Candidate, id, StaffId, StaffName, clock.GetUtcNow());
        Form.ApplyTo(candidate);
        try
        {
            await Db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return await ErasedMeanwhileAsync(id, ct); // erased between the read and the save
        }
        Message = "Les informations du candidat sont enregistrées.";
        return RedirectToPage(new { id });
    }

    /// <summary>Records (or withdraws) the candidate's consent to have their profile pushed, dated, with who did it.</summary>
    public async Task<IActionResult> OnPostConsentAsync(Guid id, bool consent, CancellationToken ct)
    {
        if (!PushCv || await Db.Candidates.SingleOrDefaultAsync(c => c.Id == id, ct) is not { } candidate)
            return NotFound();
        if (candidate.ErasedAt is not null)
            return await ErasedMeanwhileAsync(id, ct);
        if (consent != (candidate.PushConsentAt is not null))
        {
            candidate.PushConsentAt = consent ? clock.GetUtcNow() : null;
            candidate.PushConsentRecordedBy = consent ? StaffName : null;
            candidate.PushConsentRecordedById = consent ? StaffId : null;
            try
            {
                await Db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                return await ErasedMeanwhileAsync(id, ct);
            }
        }
        Message = consent
            ? "L'accord du candidat est enregistré : son profil peut être proposé à des entreprises."
            : "L'accord du candidat est retiré : son profil ne peut plus être proposé, ni ses documents consultés depuis un profil proposé.";
        return RedirectToPage(new { id });
    }

    private const string ErasedNoEdit = "Ce candidat est effacé : ses informations ne se modifient plus.";

    /// <summary>The page as it is now (the candidate erased), with the refusal: nothing of the edit was saved.</summary>
    private async Task<IActionResult> ErasedMeanwhileAsync(Guid id, CancellationToken ct)
    {
        Db.ChangeTracker.Clear();
        await LoadAsync(id, ct);
        return Refused(ErasedNoEdit, StatusCodes.Status409Conflict);
    }

    /// <summary>The pushes of this candidate's profile, newest first (shown when the module is on).</summary>
    public IReadOnlyList<CvPushes.PushRow> Pushes { get; private set; } = [];

    /// <summary>Who saw what: each push's looks by its contact at the profile and its documents (portal or mail link).</summary>
    public ILookup<Guid, PersonalData.ViewLine> PushViews { get; private set; } = Array.Empty<PersonalData.ViewLine>().ToLookup(_ => Guid.Empty);

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await Db.Candidates.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is not { } candidate)
            return false;
        Candidate = candidate;
        Documents = await Db.Documents.AsNoTracking().Where(d => d.CandidateId == id && d.RemovedAt == null).OrderBy(d => d.Kind).ThenBy(d => d.UploadedAt).ToListAsync(ct);
        History = await Changes.ChangeHistory.LoadAsync(Db, Changes.ChangeSubject.Candidate, id, ct);
        if (IsAdmin)
            ErasurePreview = await HttpContext.RequestServices.GetRequiredService<PersonalData.Erasure>().PreviewAsync(id, ct);
        if (PushCv)
        {
            Pushes = await CvPushes.PushRow.ListAsync(Db, new CvPushes.PushFilter(CandidateId: id), ct);
            PushViews = await PersonalData.ProfileViews.ForPushedProfilesAsync(Db, [.. Pushes.Select(p => p.Id)], ct);
        }
        return true;
    }

    public static IEnumerable<(DocumentKind Kind, string Label)> Kinds =>
        Enum.GetValues<DocumentKind>().Select(k => (k, k == DocumentKind.Diploma ? "Diplôme ou justificatif" : Document.KindLabel(k)));
}
