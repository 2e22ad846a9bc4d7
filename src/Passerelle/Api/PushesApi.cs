using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Passerelle.CvPushes;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Api;

public sealed record PushProfileInput(
    [property: Required, Description("Le candidat (id Passerelle) ; son accord pour le push CV doit être enregistré.")] Guid? CandidateId,
    [property: Description("Ses documents que les entreprises pourront consulter (aucun si absent).")] IReadOnlyList<Guid>? DocumentIds = null);

public sealed record NewPushRequest(
    [property: Required, Description("Les profils proposés (1 à 50).")] IReadOnlyList<PushProfileInput>? Profiles,
    [property: Required, Description("Les contacts entreprise destinataires (1 à 50) : un e-mail par contact.")] IReadOnlyList<Guid>? ContactIds,
    [property: Description("Message joint (2000 caractères au plus, facultatif).")] string? Message = null);

public sealed record PushedProfileResource(
    Guid Id, CandidateRef Candidate, PushedProfileState State, DateTimeOffset? AnsweredAt, string? DeclineReason,
    [property: Description("La mise en relation créée quand l'entreprise a demandé à rencontrer le candidat.")] Guid? ReferralId,
    IReadOnlyList<Guid> DocumentIds,
    [property: Description("Augmente à chaque changement du profil proposé.")] int Version);

public sealed record PushResource(
    Guid Id, NamedRef Contact, NamedRef Company, DateTimeOffset CreatedAt, string? Message, string PushedBy, IReadOnlyList<PushedProfileResource> Profiles);

public sealed record NewPushResponse(IReadOnlyList<PushResource> Pushes);

/// <summary>
/// The push CV module through the API: pushes made by <see cref="CvPushActions"/> (the same rules: consent, the 90-day rule, one
/// mail per contact), listed and read. The module must be on for the school (Paramètres): otherwise every address answers 404.
/// </summary>
public static class PushesApi
{
    public const int MaxPerRequest = 50;

    public static void MapPushes(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/pushes").WithTags("Push CV");
        group.MapPost("", CreateAsync).WithName("CreatePush").WithSummary("Proposer des profils à des contacts (push CV)")
            .WithDescription("Tout ou rien : un candidat sans accord, un document qui n'est pas le sien ou un profil déjà proposé à ce contact " +
                "depuis moins de 90 jours refuse l'envoi (422, chaque raison sous errors.profiles). Un push, donc un e-mail, par contact. " +
                "Avec l'en-tête Idempotency-Key, la même requête renvoyée (dans les 24 heures) donne la même réponse sans rien envoyer de plus.")
            .Accepts<NewPushRequest>("application/json").Produces<NewPushResponse>(StatusCodes.Status201Created).ApiErrors(400, 404, 409, 413, 415, 422)
            .Idempotent();
        group.MapGet("", ListAsync).WithName("ListPushes").WithSummary("Lister les push CV")
            .WithDescription("Par pages (cursor, limit), du plus ancien au plus récent.").ListParameters(ListFilters)
            .Produces<ApiPage<PushResource>>().ApiErrors(404, 422);
        group.MapGet("/{id:guid}", ReadAsync).WithName("GetPush").WithSummary("Lire un push CV et la réponse à chaque profil")
            .Produces<PushResource>().ApiErrors(404);
    }

    private const string ModuleOff = "Le module push CV n'est pas activé pour cette école (Passerelle École, Paramètres).";

    private static async Task<IResult> CreateAsync(HttpContext http, PasserelleDb db, CvPushActions pushes, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        if (!await CvPushActions.IsEnabledAsync(db, ct))
            return ApiProblem.NotFound(ModuleOff);
        var (request, problem) = await ApiJson.ReadAsync<NewPushRequest>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        if (request!.Profiles is not { Count: > 0 and <= MaxPerRequest } profiles)
            errors["profiles"] = [$"Indiquez de 1 à {MaxPerRequest} profils."];
        else
        {
            for (var i = 0; i < profiles.Count; i++)
            {
                if (profiles[i] is not { CandidateId: not null })
                    errors[$"profiles[{i}].candidateId"] = ["Indiquez le candidat."];
            }
        }
        if (request.ContactIds is not { Count: > 0 and <= MaxPerRequest })
            errors["contactIds"] = [$"Indiquez de 1 à {MaxPerRequest} contacts."];
        if (request.Message is { Length: > 2000 })
            errors["message"] = ["Le message ne peut dépasser 2000 caractères."];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);

        var caller = ApiCaller.Of(http);
        return await Idempotency.RunAsync(http, db, request, async ct =>
        {
            var result = await pushes.PushAsync(
                request.Profiles!.Select(p => new ProfileToPush(p.CandidateId!.Value, p.DocumentIds ?? [])).ToList(),
                request.ContactIds!.Distinct().ToList(), request.Message, caller.Actor(), caller.StaffId, ct);
            if (!result.Succeeded)
            {
                var refused = result.ChangedMeanwhile ? ApiProblem.Of(StatusCodes.Status409Conflict, string.Join(" ", result.Problems))
                    : ApiProblem.Invalid(new Dictionary<string, string[]> { ["profiles"] = [.. result.Problems] }, string.Join(" ", result.Problems));
                return new Idempotency.Answer(refused.StatusCode, refused);
            }
            var resources = await ResourcesAsync(db, db.CvPushes.Where(p => result.PushIds.Contains(p.Id)), ct);
            return new Idempotency.Answer(StatusCodes.Status201Created, new NewPushResponse(resources),
                resources.Count == 1 ? $"{ApiAccess.Root}/pushes/{resources[0].Id}" : null);
        }, clock);
    }

    private static readonly ApiListParameters ListFilters = new(
        ApiParameter.Id("contactId", "Les push envoyés à ce contact."),
        ApiParameter.Id("candidateId", "Les push qui proposent ce candidat."),
        ApiParameter.Choice<PushedProfileState>("state", "Les push dont un des profils est dans cet état."));

    private static async Task<Results<Ok<ApiPage<PushResource>>, ProblemHttpResult>> ListAsync(HttpContext http, PasserelleDb db)
    {
        if (!await CvPushActions.IsEnabledAsync(db, http.RequestAborted))
            return ApiProblem.NotFound(ModuleOff);
        var query = new ApiQuery(http.Request.Query, ListFilters);
        var contactId = query.Id("contactId");
        var candidateId = query.Id("candidateId");
        var state = query.Choice<PushedProfileState>("state");
        var limit = query.Limit();
        var after = query.After();
        if (!query.IsValid)
            return ApiProblem.Invalid(query.Errors);
        var pushes = db.CvPushes.AsQueryable();
        if (contactId is { } contact)
            pushes = pushes.Where(p => p.ContactId == contact);
        if (candidateId is { } candidate)
            pushes = pushes.Where(p => db.PushedProfiles.Any(profile => profile.CvPushId == p.Id && profile.CandidateId == candidate));
        if (state is { } s)
            pushes = pushes.Where(p => db.PushedProfiles.Any(profile => profile.CvPushId == p.Id && profile.State == s));
        if (after is { } cursor)
            pushes = pushes.Where(p => p.Id.CompareTo(cursor) > 0);
        var page = await ResourcesAsync(db, ApiQuery.TakePage(pushes.OrderBy(p => p.Id), limit), http.RequestAborted);
        return TypedResults.Ok(ApiQuery.Page(page, limit, p => p.Id));
    }

    private static async Task<Results<Ok<PushResource>, ProblemHttpResult>> ReadAsync(Guid id, PasserelleDb db, CancellationToken ct)
    {
        var push = await CvPushActions.IsEnabledAsync(db, ct) ? (await ResourcesAsync(db, db.CvPushes.Where(p => p.Id == id), ct)).SingleOrDefault() : null;
        return push is null ? ApiProblem.NotFound("Ce push CV est introuvable.") : TypedResults.Ok(push);
    }

    private static async Task<List<PushResource>> ResourcesAsync(PasserelleDb db, IQueryable<CvPush> pushes, CancellationToken ct)
    {
        var rows = await (
            from push in pushes
            join contact in db.CompanyContacts on push.ContactId equals contact.Id
            join company in db.Companies on contact.CompanyId equals company.Id
            join staff in db.Staff on push.CreatedByStaffId equals staff.Id
            select new { push, contact.LastName, contact.FirstName, CompanyId = company.Id, Company = company.Name, StaffLast = staff.LastName, StaffFirst = staff.FirstName })
            .AsNoTracking().ToListAsync(ct);
        var ids = rows.Select(r => r.push.Id).ToList();
        var profiles = (await (
            from profile in db.PushedProfiles.Include(p => p.SharedDocuments)
            join candidate in db.Candidates on profile.CandidateId equals candidate.Id
            where ids.Contains(profile.CvPushId)
            select new { profile, candidate.ExternalId, candidate.LastName, candidate.FirstName }).AsNoTracking().ToListAsync(ct))
            .ToLookup(p => p.profile.CvPushId);
        return rows.OrderBy(r => r.push.Id).Select(r => new PushResource(
            r.push.Id, new NamedRef(r.push.ContactId, PersonName.Display(r.LastName, r.FirstName)), new NamedRef(r.CompanyId, r.Company), r.push.CreatedAt,
            r.push.Message, PersonName.Display(r.StaffLast, r.StaffFirst),
            profiles[r.push.Id].OrderBy(p => p.profile.Id).Select(p => new PushedProfileResource(
                p.profile.Id, new CandidateRef(p.profile.CandidateId, p.ExternalId, PersonName.Display(p.LastName, p.FirstName)), p.profile.State,
                p.profile.AnsweredAt, p.profile.DeclineReason, p.profile.ReferralId, p.profile.SharedDocuments.Select(d => d.DocumentId).ToList(),
                p.profile.Version)).ToList())).ToList();
    }
}
