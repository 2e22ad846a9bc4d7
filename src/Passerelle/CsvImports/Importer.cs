using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Candidates;
using Passerelle.Common;
using Passerelle.Companies;
using Passerelle.JobOffers;
using Passerelle.SchoolOffice;
using Passerelle.Storage;

namespace Passerelle.CsvImports;

/// <summary>What an import brings in.</summary>
public enum ImportKind
{
    Candidates,
    Offers,
}

/// <summary>A row left out, with its line in the file and why, in French.</summary>
public sealed record RejectedRow(int Line, string Reason);

/// <summary>A row as the preview shows it: its line, what it will do, its main values.</summary>
public sealed record PreviewRow(int Line, bool Updates, IReadOnlyList<string> Values);

/// <summary>
/// A file checked against the school's data, before anything is written: the rows to create or update and the rows
/// rejected. The page shows it as a preview; <see cref="Importer.RunAsync"/> writes it.
/// </summary>
public sealed class ImportPlan
{
    internal ImportPlan(ImportKind kind, string? problem)
    {
        Kind = kind;
        Problem = problem;
    }

    public ImportKind Kind { get; }

    /// <summary>Why the file as a whole cannot be imported (not a CSV, a column missing); null when rows were read.</summary>
    public string? Problem { get; }

    internal List<Candidate> NewCandidates { get; } = [];
    internal List<(Candidate Existing, CandidateForm Form)> CandidateUpdates { get; } = [];
    internal List<JobOffer> NewOffers { get; } = [];
    internal List<(Guid Id, Importer.OfferRow Values)> OfferUpdates { get; } = [];

    public List<RejectedRow> Rejected { get; } = [];
    public List<PreviewRow> Rows { get; } = [];

    public int ToCreate => Kind == ImportKind.Candidates ? NewCandidates.Count : NewOffers.Count;
    public int ToUpdate => Kind == ImportKind.Candidates ? CandidateUpdates.Count : OfferUpdates.Count;

    /// <summary>The preview's column titles.</summary>
    public IReadOnlyList<string> Columns => Kind == ImportKind.Candidates
        ? ["Nom", "Prénom", "E-mail", "Téléphone", "Identifiant externe"]
        : ["SIRET", "Intitulé", "Lieu", "Date de début", "Identifiant externe"];
}

/// <summary>Who imports, as the history of the offers a file changes names them: a staff member on the page, none from the command line.</summary>
public sealed record ImportedBy(Guid? StaffId, string Name)
{
    public static readonly ImportedBy CommandLine = new(null, "Import CSV (ligne de commande)");

    public static ImportedBy Staff(Guid staffId, string staffName) => new(staffId, $"{staffName} (import CSV)");
}

/// <summary>What an import did.</summary>
public sealed record ImportReport(int Created, int Updated, IReadOnlyList<RejectedRow> Rejected, string? Problem = null);

/// <summary>
/// Imports candidates or offers from a CSV file for the context's school — the command line's <c>import</c> and the page
/// "Importer" both come here. Each row is checked as the back-office checks a form (the same French messages); a row with an
/// external id the school already has updates that record; a rejected row is reported with its line and left out, the others
/// are written together.
/// </summary>
public static class Importer
{
    private static readonly Dictionary<string, string[]> CandidateColumns = new()
    {
        ["lastName"] = ["nom", "lastname", "nomdefamille", "nomdusage"],
        ["firstName"] = ["prenom", "firstname", "prenoms"],
        ["email"] = ["email", "mail", "courriel", "adresseemail", "adressemail", "adresseelectronique"],
        ["phone"] = ["telephone", "tel", "phone", "portable", "mobile", "numerodetelephone"],
        ["externalId"] = ["identifiantexterne", "externalid", "idexterne", "identifiant", "reference", "numeroetudiant", "matricule"],
    };

    private static readonly Dictionary<string, string[]> OfferColumns = new()
    {
        ["siret"] = ["siret", "siretentreprise", "siretdelentreprise"],
        ["title"] = ["intitule", "titre", "title", "poste", "intituledeloffre"],
        ["description"] = ["description", "descriptif", "missions"],
        ["location"] = ["lieu", "location", "ville", "adresse"],
        ["startsOn"] = ["datededebut", "debut", "datedebut", "startson"],
        ["externalId"] = ["identifiantexterne", "externalid", "idexterne", "identifiant", "reference"],
        ["active"] = ["active", "actif", "active", "statut"],
    };

    private static string Describe(string column) => column switch
    {
        "lastName" => "« nom »",
        "firstName" => "« prénom »",
        "email" => "« e-mail »",
        "siret" => "« SIRET »",
        "title" => "« intitulé »",
        "description" => "« description »",
        _ => $"« {column} »",
    };

    /// <summary>Reads and checks the file; writes nothing.</summary>
    public static async Task<ImportPlan> CheckAsync(PasserelleDb db, ImportKind kind, ReadOnlyMemory<byte> file, CancellationToken ct)
    {
        var (text, unreadable) = CsvTable.Decode(file.Span);
        if (text is null)
            return new ImportPlan(kind, unreadable);
        var (rows, problem) = kind == ImportKind.Candidates
            ? CsvTable.Read(text, CandidateColumns, ["lastName", "firstName", "email"], Describe)
            : CsvTable.Read(text, OfferColumns, ["siret", "title", "description"], Describe);
        var plan = new ImportPlan(kind, problem ?? (rows.Count == 0 ? "Le fichier ne contient aucune ligne de données sous la ligne des colonnes." : null));
        if (plan.Problem is not null)
            return plan;
        if (kind == ImportKind.Candidates)
            await PlanCandidatesAsync(db, rows, plan, ct);
        else
            await PlanOffersAsync(db, rows, plan, ct);
        return plan;
    }

    private static async Task PlanCandidatesAsync(PasserelleDb db, List<CsvRow> rows, ImportPlan plan, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        // The file's values as one parameter each (EF.Parameter): one per value would pass SQLite's limit of 32,766 in a large file.
        var externalIds = rows.Select(r => r["externalId"]).OfType<string>().Distinct().ToList();
        var existing = await db.Candidates.Where(c => c.ExternalId != null && EF.Parameter(externalIds).Contains(c.ExternalId))
            .ToDictionaryAsync(c => c.ExternalId!, ct);
        // Without an external id, a candidate is known by their e-mail address (whether the platform gave them an id or not):
        // importing the same file again, or a list from elsewhere, updates them, not duplicates.
        var emails = rows.Where(r => r["externalId"] is null).Select(r => r["email"]?.Trim().ToLowerInvariant()).OfType<string>().Distinct().ToList();
        var byEmail = (await db.Candidates.Where(c => c.ErasedAt == null && EF.Parameter(emails).Contains(c.Email.ToLower())).ToListAsync(ct))
            .GroupBy(c => c.Email.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.ToList());
        var seen = new Dictionary<string, int>();
        var seenEmails = new Dictionary<string, int>();
        foreach (var row in rows)
        {
            var form = new CandidateForm { LastName = row["lastName"] ?? "", FirstName = row["firstName"] ?? "", Email = row["email"] ?? "", Phone = row["phone"] };
            var externalId = row["externalId"];
            var problems = ApiValidation.Errors(form, name => name).Values.SelectMany(m => m).ToList();
            if (problems.Count == 0 && form.Problem() is { } emailProblem)
                problems.Add(emailProblem);
            if (ApiValidation.ExternalIdProblem(externalId) is { } externalProblem)
                problems.Add(externalProblem);
            if (externalId is not null && seen.TryGetValue(externalId, out var firstLine))
                problems.Add($"L'identifiant externe « {externalId} » figure déjà ligne {firstLine} : une seule ligne par candidat.");
            var email = form.Email.Trim().ToLowerInvariant();
            if (externalId is null && seenEmails.TryGetValue(email, out var emailLine))
                problems.Add($"L'adresse {email} figure déjà ligne {emailLine} : une seule ligne par candidat (ou un identifiant externe pour chacun).");
            if (externalId is null && byEmail.GetValueOrDefault(email) is { Count: > 1 })
                problems.Add($"Plusieurs candidats ont l'adresse {email} : ajoutez la colonne « identifiant externe » pour dire lequel.");
            if (problems.Count > 0)
            {
                plan.Rejected.Add(new RejectedRow(row.Line, string.Join(" ", problems)));
                continue;
            }
            if (externalId is not null)
                seen[externalId] = row.Line;
            else
                seenEmails[email] = row.Line;
            var known = externalId is not null ? existing.GetValueOrDefault(externalId) : byEmail.GetValueOrDefault(email)?.Single();
            var updates = known is not null;
            if (known is not null)
                plan.CandidateUpdates.Add((known, form));
            else
            {
                var candidate = new Candidate { Id = Guid.CreateVersion7(), SchoolId = schoolId, ExternalId = externalId };
                form.ApplyTo(candidate);
                plan.NewCandidates.Add(candidate);
            }
            plan.Rows.Add(new PreviewRow(row.Line, updates, [OneLine.Of(form.LastName), OneLine.Of(form.FirstName), form.Email.Trim(), OneLine.OrNull(form.Phone) ?? "", externalId ?? ""]));
        }
    }

    /// <summary>An offer's values as a row gives them (<see cref="Active"/> null: the file does not say, the offer keeps its state).</summary>
    internal sealed record OfferRow(string Title, string Description, string? Location, DateOnly? StartsOn, bool? Active);

    private static readonly string[] DateFormats = ["dd/MM/yyyy", "d/M/yyyy", "yyyy-MM-dd", "dd-MM-yyyy", "dd.MM.yyyy"];

    private static async Task PlanOffersAsync(PasserelleDb db, List<CsvRow> rows, ImportPlan plan, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        var companies = await (from link in db.SchoolCompanies join company in db.Companies on link.CompanyId equals company.Id select new { company.Siret, company.Id })
            .ToDictionaryAsync(c => c.Siret, c => c.Id, ct);
        var externalIds = rows.Select(r => r["externalId"]).OfType<string>().Distinct().ToList();
        var existing = await db.JobOffers.AsNoTracking().Where(o => o.ExternalId != null && EF.Parameter(externalIds).Contains(o.ExternalId))
            .ToDictionaryAsync(o => o.ExternalId!, o => new { o.Id, o.CompanyId }, ct);
        var seen = new Dictionary<string, int>();
        foreach (var row in rows)
        {
            var problems = new List<string>();
            Guid companyId = default;
            if (Siret.Normalize(row["siret"]) is not { } siret)
                problems.Add(CompanyRecords.InvalidSiret);
            else if (!companies.TryGetValue(siret, out companyId))
                problems.Add($"Aucune entreprise de votre liste n'a le SIRET {siret} : ajoutez-la d'abord (Entreprises et offres).");
            var title = OneLine.OrNull(row["title"]);
            var description = row["description"];
            if (title is null || description is null)
                problems.Add("Indiquez l'intitulé et la description de l'offre.");
            else if (title.Length > 200 || description.Length > 4000)
                problems.Add("L'intitulé compte 200 caractères au plus, la description 4000.");
            var location = OneLine.OrNull(row["location"]);
            if (location is { Length: > 200 })
                problems.Add("Le lieu compte 200 caractères au plus.");
            DateOnly? startsOn = null;
            if (row["startsOn"] is { } dateText)
            {
                if (DateOnly.TryParseExact(dateText, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    startsOn = date;
                else
                    problems.Add($"La date de début « {dateText} » n'est pas une date (JJ/MM/AAAA).");
            }
            bool? active = null;
            if (row["active"] is { } activeText)
            {
                switch (CsvTable.Key(activeText))
                {
                    case "oui" or "true" or "1" or "active" or "actif" or "o" or "yes":
                        active = true;
                        break;
                    case "non" or "false" or "0" or "inactive" or "inactif" or "n" or "no":
                        active = false;
                        break;
                    default:
                        problems.Add($"« {activeText} » : indiquez oui ou non pour l'offre active.");
                        break;
                }
            }
            var externalId = row["externalId"];
            if (ApiValidation.ExternalIdProblem(externalId) is { } externalProblem)
                problems.Add(externalProblem);
            if (externalId is not null && seen.TryGetValue(externalId, out var firstLine))
                problems.Add($"L'identifiant externe « {externalId} » figure déjà ligne {firstLine} : une seule ligne par offre.");
            // An offer stays with its company: its referrals went to that company's contacts.
            if (externalId is not null && existing.TryGetValue(externalId, out var known) && companyId != default && known.CompanyId != companyId)
                problems.Add($"L'offre « {externalId} » est celle d'une autre entreprise : l'entreprise d'une offre ne change pas (créez une nouvelle offre).");
            if (problems.Count > 0)
            {
                plan.Rejected.Add(new RejectedRow(row.Line, string.Join(" ", problems)));
                continue;
            }
            if (externalId is not null)
                seen[externalId] = row.Line;
            var values = new OfferRow(title!, description!, location, startsOn, active);
            var updates = externalId is not null && existing.ContainsKey(externalId);
            if (updates)
                plan.OfferUpdates.Add((existing[externalId!].Id, values));
            else
            {
                plan.NewOffers.Add(new JobOffer
                {
                    Id = Guid.CreateVersion7(), SchoolId = schoolId, CompanyId = companyId, Title = title!, Description = description!, Location = location,
                    StartsOn = startsOn, IsActive = active ?? true, ExternalId = externalId,
                });
            }
            plan.Rows.Add(new PreviewRow(row.Line, updates, [row["siret"] ?? "", title!, location ?? "", startsOn is { } d ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : "", externalId ?? ""]));
        }
    }

    /// <summary>Batch size of the writes: 10,000 rows in a few seconds, with a progress report after each batch.</summary>
    private const int Batch = 500;

    /// <summary>Writes a checked plan, in one transaction; <paramref name="progress"/> hears the number of rows written so far.</summary>
    public static async Task<ImportReport> RunAsync(PasserelleDb db, ImportPlan plan, ImportedBy by, DateTimeOffset now, IProgress<int>? progress, CancellationToken ct)
    {
        if (plan.Problem is not null)
            throw new InvalidOperationException("This file cannot be imported: " + plan.Problem);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            // One import of a school at a time (a double click, two people with the same export): the second waits for the
            // first, then finds its new rows there and imports nothing, where both would have created everyone.
            await Changes.Deactivations.LockSchoolAsync(db, ct);
            if (await CreatedMeanwhileAsync(db, plan, ct))
                throw new DbUpdateConcurrencyException("A row to create was saved after the check.");
            await WriteAsync(db, plan, by, now, progress, ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation() || e is DbUpdateConcurrencyException)
        {
            // Someone added the same external id or address between the check and the import, or a candidate to update was
            // erased meanwhile (ErasedAt is its concurrency token): all or nothing.
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return new ImportReport(0, 0, plan.Rejected, ChangedMeanwhile);
        }
        await transaction.CommitAsync(ct);
        return new ImportReport(plan.ToCreate, plan.ToUpdate, plan.Rejected);
    }

    /// <summary>Whether a candidate or an offer the plan creates exists now (by external id, or a candidate by e-mail).</summary>
    private static async Task<bool> CreatedMeanwhileAsync(PasserelleDb db, ImportPlan plan, CancellationToken ct)
    {
        if (plan.Kind == ImportKind.Candidates)
        {
            var externalIds = plan.NewCandidates.Select(c => c.ExternalId).OfType<string>().ToList();
            var emails = plan.NewCandidates.Where(c => c.ExternalId is null).Select(c => c.Email.ToLowerInvariant()).ToList();
            return await db.Candidates.AnyAsync(c => (c.ExternalId != null && EF.Parameter(externalIds).Contains(c.ExternalId))
                || (c.ErasedAt == null && EF.Parameter(emails).Contains(c.Email.ToLower())), ct);
        }
        var offerIds = plan.NewOffers.Select(o => o.ExternalId).OfType<string>().ToList();
        return await db.JobOffers.AnyAsync(o => o.ExternalId != null && EF.Parameter(offerIds).Contains(o.ExternalId), ct);
    }

    public const string ChangedMeanwhile =
        "Une ligne du fichier a été enregistrée entre-temps par quelqu'un d'autre (même identifiant externe ou même adresse), ou un candidat à mettre à jour a été effacé : rien n'est importé. Vérifiez le fichier de nouveau.";

    private static async Task WriteAsync(PasserelleDb db, ImportPlan plan, ImportedBy by, DateTimeOffset now, IProgress<int>? progress, CancellationToken ct)
    {
        // The rows the check read stay as it saw them; those to update are read again below, as they are now.
        db.ChangeTracker.Clear();
        var written = 0;
        async Task SavedAsync(int count)
        {
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            progress?.Report(written += count);
        }
        if (plan.Kind == ImportKind.Candidates)
        {
            foreach (var batch in plan.NewCandidates.Chunk(Batch))
            {
                foreach (var candidate in batch)
                    candidate.CreatedAt = now;
                db.Candidates.AddRange(batch);
                await SavedAsync(batch.Length);
            }
            foreach (var batch in plan.CandidateUpdates.Chunk(Batch))
            {
                // The rows as they are now, in the import's transaction: the file's values replace an edit saved since the check,
                // and the history says from what. A candidate erased since is not brought back: nothing is imported.
                var ids = batch.Select(b => b.Existing.Id).ToList();
                var current = await db.Candidates.Where(c => ids.Contains(c.Id) && c.ErasedAt == null).ToDictionaryAsync(c => c.Id, ct);
                if (current.Count != ids.Count)
                    throw new DbUpdateConcurrencyException("A candidate to update was erased after the check.");
                foreach (var (existing, form) in batch)
                {
                    var candidate = current[existing.Id];
                    // In the candidate's history, as an edit in Passerelle École would be.
                    form.ChangesFrom(candidate).Record(db, Changes.ChangeSubject.Candidate, candidate.Id, by.StaffId, by.Name, now);
                    form.ApplyTo(candidate);
                }
                await SavedAsync(batch.Length);
            }
        }
        else
        {
            foreach (var batch in plan.NewOffers.Chunk(Batch))
            {
                foreach (var offer in batch)
                    offer.CreatedAt = now;
                db.JobOffers.AddRange(batch);
                await SavedAsync(batch.Length);
            }
            foreach (var batch in plan.OfferUpdates.Chunk(Batch))
            {
                var ids = batch.Select(b => b.Id).ToList();
                var offers = await db.JobOffers.Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
                foreach (var (id, values) in batch)
                {
                    var offer = offers[id];
                    // In the offer's history, as an edit in Passerelle École would be.
                    Changes.Corrections.OfferChanges(offer, new Changes.OfferEdit(values.Title, values.Description, values.Location, offer.Contract,
                        values.StartsOn, values.Active ?? offer.IsActive)).Record(db, Changes.ChangeSubject.JobOffer, offer.Id, by.StaffId, by.Name, now);
                    (offer.Title, offer.Description, offer.Location, offer.StartsOn, offer.IsActive) =
                        (values.Title, values.Description, values.Location, values.StartsOn, values.Active ?? offer.IsActive);
                }
                await SavedAsync(batch.Length);
            }
        }
    }
}
