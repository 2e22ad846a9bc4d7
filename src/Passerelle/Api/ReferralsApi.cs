using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;
using PageQuery = System.Func<Passerelle.Storage.PasserelleDb, Passerelle.Referrals.ReferralStage?, System.Guid?, System.Guid?, System.Guid?, System.Guid?,
    System.DateTimeOffset?, System.Guid, System.Collections.Generic.IAsyncEnumerable<Passerelle.Api.ReferralsApi.ReferralRow>>;

namespace Passerelle.Api;

/// <summary>A candidate to refer, with the documents of theirs the company may see.</summary>
public sealed record ReferralCandidateInput(
    [property: Required, Description("Le candidat (id Passerelle).")] Guid? CandidateId,
    [property: Description("Ses documents que l'entreprise pourra consulter (aucun si absent).")] IReadOnlyList<Guid>? SharedDocumentIds = null);

/// <summary>One offer, one contact, one or several candidates.</summary>
public sealed record NewReferralsRequest(
    [property: Required, Description("L'offre, active, d'une entreprise de l'école.")] Guid? OfferId,
    [property: Required, Description("Le contact de l'entreprise de l'offre qui recevra les candidatures.")] Guid? ContactId,
    [property: Required, Description("Les candidats proposés (1 à 50).")] IReadOnlyList<ReferralCandidateInput>? Candidates);

public sealed record NewReferralsResponse(IReadOnlyList<ReferralResource> Referrals);

/// <summary>What a party answers, given by the platform on their behalf.</summary>
public enum ApiAnswer
{
    AcceptOffer,
    DeclineOffer,
    AcceptCandidate,
    RefuseCandidate,
    AcceptAppointment,
    DeclineAppointment,
}

public sealed record AppointmentInput(
    [property: Required, Description("Date et heure du rendez-vous (ISO 8601 avec fuseau).")] DateTimeOffset? StartsAt,
    [property: Description("Lieu ou lien de visioconférence (300 caractères au plus).")] string? Location = null,
    [property: Description("Commentaire de l'entreprise (2000 caractères au plus).")] string? Comment = null);

/// <summary>Whom an answer is given for. The school does not answer: it cancels or records the outcome.</summary>
public enum AnswerParty
{
    Candidate,
    Company,
}

/// <summary>Whom an outcome is recorded for.</summary>
public enum OutcomeParty
{
    School,
    Company,
}

public sealed record AnswerRequest(
    [property: Required, Description("La partie pour laquelle la réponse est donnée : candidate (offre, rendez-vous) ou company (candidature). L'école ne répond pas : elle annule (cancel) ou enregistre le résultat (outcome).")] AnswerParty? Party,
    [property: Required, Description("La réponse.")] ApiAnswer? Answer,
    [property: Description("La version de la mise en relation lue (facultatif) : si elle a changé depuis, la réponse est refusée (409).")] int? Version = null,
    [property: Description("Le rendez-vous proposé, pour acceptCandidate.")] AppointmentInput? Appointment = null,
    [property: Description("Commentaire (2000 caractères au plus).")] string? Comment = null,
    [property: Description("Motif du refus, pour refuseCandidate : un des motifs de l'école, ou aucun.")] string? Reason = null);

public sealed record CancelRequest(
    [property: Required, Description("Le motif de l'annulation, communiqué aux parties.")] string? Reason,
    [property: Description("La version lue (facultatif).")] int? Version = null);

public sealed record OutcomeRequest(
    [property: Required, Description("recruited ou notRetained.")] Outcome? Outcome,
    [property: Description("Pour qui le résultat est enregistré : school (par défaut) ou company.")] OutcomeParty? Party = null,
    [property: Description("La version lue (facultatif).")] int? Version = null);

public sealed record NamedRef(Guid Id, string Name);

public sealed record OfferRef(Guid Id, string? ExternalId, string Title);

public sealed record CandidateRef(Guid Id, string? ExternalId, string Name);

public sealed record AppointmentResource(
    DateTimeOffset StartsAt, string? Location, string? Comment,
    [property: Description("Le numéro de version de l'invitation d'agenda envoyée au candidat (SEQUENCE iCalendar) : 0 pour la première proposition, un de plus à chaque changement ou retrait.")] int Sequence);

/// <summary>A referral as the API shows it.</summary>
public sealed record ReferralResource(
    Guid Id,
    [property: Description("L'étape où en est la mise en relation : ce qu'elle attend, ou comment elle s'est terminée.")] ReferralStage Stage,
    [property: Description("Augmente à chaque changement. À renvoyer (« version ») avec une réponse, une annulation ou un résultat : si elle a changé entre-temps, rien n'est fait (409).")] int Version,
    CandidateRef Candidate, OfferRef Offer, NamedRef Company, NamedRef Contact,
    DateTimeOffset CreatedAt,
    [property: Description("Le dernier changement (le filtre « updatedSince » de la liste porte sur lui).")] DateTimeOffset UpdatedAt,
    OfferAnswer? OfferAnswer, DateTimeOffset? OfferAnsweredAt, CompanyAnswer? CompanyAnswer, DateTimeOffset? CompanyAnsweredAt,
    string? RefusalReason, AppointmentResource? Appointment, AppointmentAnswer? AppointmentAnswer, DateTimeOffset? AppointmentAnsweredAt,
    Outcome? Outcome, DateTimeOffset? OutcomeRecordedAt, DateTimeOffset? CancelledAt, string? CancellationReason);

/// <summary>One line of the timeline: the event, and its text as the portals show it.</summary>
public sealed record TimelineEventResource(
    [property: Description("Le rang de l'événement dans la chronologie (1 pour la proposition).")] int Sequence,
    ReferralEventKind Kind, DateTimeOffset OccurredAt,
    [property: Description("Qui a agi : le personnel de l'école, le contact entreprise, le candidat ou une clé d'API.")] ActorKind ActorKind,
    [property: Description("Son nom (pour une clé d'API, le nom de la clé).")] string ActorName,
    [property: Description("Par où l'action est arrivée.")] Channel Channel,
    [property: Description("La partie pour laquelle l'action a été faite, quand ce n'est pas elle qui a agi (null sinon).")] Party? OnBehalfOf,
    string? Comment,
    [property: Description("Le motif d'un refus ou d'une annulation.")] string? Reason,
    [property: Description("Le titre de la ligne, tel que les portails l'affichent.")] string Title,
    [property: Description("La ligne elle-même, date et heure de Paris comprises (« Le 15/05/2020 à 15h41 : … »).")] string Text,
    [property: Description("« Action effectuée par … » quand l'action a été faite pour une partie ou par l'API (null sinon).")] string? ActedBy);

public sealed record ReferralWithTimeline(
    ReferralResource Referral,
    [property: Description("Les documents du candidat que l'entreprise peut consulter.")] IReadOnlyList<Guid> SharedDocumentIds,
    [property: Description("La chronologie, du premier événement au dernier.")] IReadOnlyList<TimelineEventResource> Timeline);

/// <summary>
/// Referrals through the API: created (with <c>Idempotency-Key</c>), listed by cursor, read with their timeline, and answered,
/// cancelled or closed on behalf of a party — every change through <see cref="ReferralActions"/>, the one way to answer.
/// </summary>
public static class ReferralsApi
{
    public const int MaxCandidatesPerRequest = 50;

    public static void MapReferrals(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/referrals").WithTags("Mises en relation");
        group.MapPost("", CreateAsync).WithName("CreateReferrals").WithSummary("Créer des mises en relation")
            .WithDescription("Une offre, un contact, un ou plusieurs candidats : tout ou rien. L'offre est envoyée à chaque candidat par e-mail. " +
                "Avec l'en-tête Idempotency-Key, la même requête renvoyée (dans les 24 heures) donne la même réponse sans rien créer de plus.")
            .Accepts<NewReferralsRequest>("application/json").Produces<NewReferralsResponse>(StatusCodes.Status201Created).ApiErrors(400, 404, 413, 415, 422)
            .Idempotent();
        group.MapGet("", ListAsync).WithName("ListReferrals").WithSummary("Lister les mises en relation")
            .WithDescription("Par pages (limit, 50 par défaut, 200 au plus), dans l'ordre de création ; nextCursor donne la page suivante, " +
                "stable même si des mises en relation sont créées entre-temps.")
            .ListParameters(ListFilters).Produces<ApiPage<ReferralResource>>().ApiErrors(422);
        group.MapGet("/{id:guid}", ReadAsync).WithName("GetReferral").WithSummary("Lire une mise en relation et son suivi")
            .Produces<ReferralWithTimeline>().ApiErrors(404);
        group.MapPost("/{id:guid}/answers", AnswerAsync).WithName("AnswerReferral").WithSummary("Répondre pour le candidat ou l'entreprise")
            .WithDescription("Les mêmes règles que les liens des e-mails et les portails ; le suivi indique « Action effectuée par <nom de la clé> (API) ». " +
                "409 quand l'étape est close ou la version périmée.")
            .Accepts<AnswerRequest>("application/json").Produces<ReferralResource>().ApiErrors(400, 404, 409, 415, 422);
        group.MapPost("/{id:guid}/cancel", CancelAsync).WithName("CancelReferral").WithSummary("Annuler une mise en relation")
            .Accepts<CancelRequest>("application/json").Produces<ReferralResource>().ApiErrors(400, 404, 409, 415, 422);
        group.MapPost("/{id:guid}/outcome", OutcomeAsync).WithName("RecordReferralOutcome").WithSummary("Enregistrer le résultat (recruté ou non)")
            .Accepts<OutcomeRequest>("application/json").Produces<ReferralResource>().ApiErrors(400, 404, 409, 415, 422);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, PasserelleDb db, ReferralActions actions, TimeProvider clock)
    {
        var (request, problem) = await ApiJson.ReadAsync<NewReferralsRequest>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        if (request!.OfferId is null)
            errors["offerId"] = ["Indiquez l'offre."];
        if (request.ContactId is null)
            errors["contactId"] = ["Indiquez le contact de l'entreprise."];
        if (request.Candidates is not { Count: > 0 and <= MaxCandidatesPerRequest } candidates)
            errors["candidates"] = [$"Indiquez de 1 à {MaxCandidatesPerRequest} candidats."];
        else
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates[i] is not { CandidateId: not null })
                    errors[$"candidates[{i}].candidateId"] = ["Indiquez le candidat."];
            }
            if (candidates.Where(c => c?.CandidateId is not null).GroupBy(c => c.CandidateId).Any(g => g.Count() > 1))
                errors["candidates"] = ["Un candidat figure deux fois."];
        }
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);

        var caller = ApiCaller.Of(http);
        return await Idempotency.RunAsync(http, db, request, async ct =>
        {
            var created = new List<ReferralRow>();
            var refusals = new Dictionary<string, string[]>();
            var notFound = false;
            // Several candidates are created together or not at all; one is a single save already (and an Idempotency-Key
            // brings its own transaction).
            var alone = db.Database.CurrentTransaction is not null || request.Candidates!.Count == 1;
            await using var transaction = alone ? null : await db.Database.BeginTransactionAsync(ct);
            for (var i = 0; i < request.Candidates!.Count; i++)
            {
                var candidate = request.Candidates[i];
                var (referral, result, parties) = await actions.ProposeAsync(candidate.CandidateId!.Value, request.OfferId!.Value, request.ContactId!.Value,
                    candidate.SharedDocumentIds ?? [], caller.Actor(), caller.StaffId, ct);
                if (result.Refusal is { Code: RefusalCode.NotFound })
                    notFound = true;
                else if (result.Refusal is { } refusal)
                    refusals[$"candidates[{i}]"] = [refusal.Message];
                else
                    created.Add(new ReferralRow(referral!, parties!));
                if (!result.Succeeded)
                    break;
            }
            if (notFound || refusals.Count > 0)
            {
                if (transaction is not null)
                    await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                var refused = notFound
                    ? ApiProblem.NotFound("L'offre, le contact (il doit travailler pour l'entreprise de l'offre), un candidat ou un document (du candidat) est introuvable.")
                    : ApiProblem.Invalid(refusals);
                return new Idempotency.Answer(refused.StatusCode, refused);
            }
            if (transaction is not null)
                await transaction.CommitAsync(ct);
            // The new referrals as the proposals left them, with the names their checks read: nothing to read back.
            var resources = created.Select(row => row.ToResource()).ToList();
            return new Idempotency.Answer(StatusCodes.Status201Created, new NewReferralsResponse(resources),
                created.Count == 1 ? $"{ApiAccess.Root}/referrals/{created[0].Id}" : null);
        }, clock);
    }

    private static readonly ApiListParameters ListFilters = new(
        ApiParameter.Choice<ReferralStage>("stage", "Les mises en relation à cette étape."),
        ApiParameter.Id("offerId", "Les mises en relation pour cette offre."),
        ApiParameter.Id("companyId", "Les mises en relation avec cette entreprise."),
        ApiParameter.Id("contactId", "Les mises en relation confiées à ce contact entreprise."),
        ApiParameter.Id("candidateId", "Les mises en relation de ce candidat."),
        ApiParameter.Instant("updatedSince", "Les mises en relation modifiées à partir de cet instant (ISO 8601 avec son fuseau), pour suivre les changements."));

    private static async Task<Results<Ok<ApiPage<ReferralResource>>, ProblemHttpResult>> ListAsync(HttpContext http, PasserelleDb db)
    {
        var query = new ApiQuery(http.Request.Query, ListFilters);
        var stage = query.Choice<ReferralStage>("stage");
        var offerId = query.Id("offerId");
        var companyId = query.Id("companyId");
        var contactId = query.Id("contactId");
        var candidateId = query.Id("candidateId");
        var updatedSince = query.Instant("updatedSince");
        var limit = query.Limit();
        var after = query.After();
        if (!query.IsValid)
            return ApiProblem.Invalid(query.Errors);

        // The page and its names in one statement, translated once per page size (the LIMIT is written in the SQL, see
        // PageOfReferrals); a filter not given is left out of it.
        var page = await Page(limit + 1).For(db)(db, stage, offerId, companyId, contactId, candidateId, updatedSince, after ?? Guid.Empty)
            .ToListAsync(http.RequestAborted);
        var rows = page.OrderBy(r => r.Id).Select(r => r.ToResource()).ToList();
        return TypedResults.Ok(ApiQuery.Page(rows, limit, r => r.Id));
    }

    private static async Task<Results<Ok<ReferralWithTimeline>, ProblemHttpResult>> ReadAsync(Guid id, PasserelleDb db, CancellationToken ct)
    {
        var resource = await ResourceAsync(db, id, ct);
        if (resource is null)
            return ApiProblem.NotFound("Cette mise en relation est introuvable.");
        var schoolName = await db.Schools.Where(s => s.Id == db.SchoolId).Select(s => s.Name).SingleAsync(ct);
        var events = await db.ReferralEvents.AsNoTracking().Where(e => e.ReferralId == id).OrderBy(e => e.Sequence).ToListAsync(ct);
        var documents = await db.ReferralDocuments.AsNoTracking().Where(d => d.ReferralId == id).Select(d => d.DocumentId).ToListAsync(ct);
        var timeline = events.Select(e =>
        {
            var line = TimelineText.Describe(e, resource.Candidate.Name, resource.Company.Name, schoolName);
            return new TimelineEventResource(e.Sequence, e.Kind, e.OccurredAt, e.ActorKind, e.ActorName, e.Channel, e.OnBehalfOf, e.Comment, e.Reason,
                line.Title, $"{line.When} : {line.What}", line.ActedBy);
        }).ToList();
        return TypedResults.Ok(new ReferralWithTimeline(resource, documents, timeline));
    }

    private static async Task<IResult> AnswerAsync(Guid id, HttpContext http, PasserelleDb db, ReferralActions actions)
    {
        var (request, problem) = await ApiJson.ReadAsync<AnswerRequest>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        if (request!.Party is null)
            errors["party"] = ["Indiquez candidate ou company : l'école annule (cancel) ou enregistre le résultat (outcome)."];
        if (request.Answer is null)
            errors["answer"] = ["Indiquez la réponse."];
        ApiValidation.Text(errors, "comment", request.Comment, 2000);
        ApiValidation.Text(errors, "reason", request.Reason, 200);
        ApiValidation.Text(errors, "appointment.location", request.Appointment?.Location, 300);
        ApiValidation.Text(errors, "appointment.comment", request.Appointment?.Comment, 2000);
        if (request.Answer == ApiAnswer.AcceptCandidate && request.Appointment?.StartsAt is null)
            errors["appointment.startsAt"] = ["Indiquez la date et l'heure du rendez-vous proposé."];
        if (request.Answer != ApiAnswer.AcceptCandidate && request.Appointment is not null)
            errors["appointment"] = ["Un rendez-vous n'accompagne que la réponse acceptCandidate."];
        if (request.Answer != ApiAnswer.RefuseCandidate && request.Reason is not null)
            errors["reason"] = ["Un motif n'accompagne que la réponse refuseCandidate."];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);

        Answer answer = request.Answer switch
        {
            ApiAnswer.AcceptOffer => new Answer.ToOffer(OfferAnswer.Accepted, request.Comment),
            ApiAnswer.DeclineOffer => new Answer.ToOffer(OfferAnswer.Declined, request.Comment),
            ApiAnswer.AcceptCandidate => new Answer.AcceptCandidate(new Appointment(request.Appointment!.StartsAt!.Value.ToUniversalTime(),
                Answer.Clean(request.Appointment.Location), Answer.Clean(request.Appointment.Comment ?? request.Comment))),
            ApiAnswer.RefuseCandidate => new Answer.RefuseCandidate(request.Comment, request.Reason),
            ApiAnswer.AcceptAppointment => new Answer.ToAppointment(AppointmentAnswer.Accepted, request.Comment),
            _ => new Answer.ToAppointment(AppointmentAnswer.Declined, request.Comment),
        };
        return await ApplyAsync(id, http, db, actions, answer, request.Party == AnswerParty.Candidate ? Party.Candidate : Party.Company, request.Version);
    }

    private static async Task<IResult> CancelAsync(Guid id, HttpContext http, PasserelleDb db, ReferralActions actions)
    {
        var (request, problem) = await ApiJson.ReadAsync<CancelRequest>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request!.Reason))
            errors["reason"] = ["Indiquez le motif de l'annulation."];
        ApiValidation.Text(errors, "reason", request.Reason, 500);
        return errors.Count > 0
            ? ApiProblem.Invalid(errors)
            : await ApplyAsync(id, http, db, actions, new Answer.Cancel(request.Reason), Party.School, request.Version);
    }

    private static async Task<IResult> OutcomeAsync(Guid id, HttpContext http, PasserelleDb db, ReferralActions actions)
    {
        var (request, problem) = await ApiJson.ReadAsync<OutcomeRequest>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        if (request!.Outcome is null)
            errors["outcome"] = ["Indiquez recruited ou notRetained."];
        return errors.Count > 0
            ? ApiProblem.Invalid(errors)
            : await ApplyAsync(id, http, db, actions, new Answer.RecordOutcome(request.Outcome!.Value), request.Party == OutcomeParty.Company ? Party.Company : Party.School, request.Version);
    }

    private static async Task<IResult> ApplyAsync(Guid id, HttpContext http, PasserelleDb db, ReferralActions actions, Answer answer, Party? party, int? version)
    {
        var result = await actions.AnswerAsync(id, ApiCaller.Of(http).Actor(party), answer, version, http.RequestAborted);
        if (result.Refusal is { } refusal)
            return ApiProblem.From(refusal);
        db.ChangeTracker.Clear();
        return TypedResults.Ok((await ResourceAsync(db, id, http.RequestAborted))!);
    }

    private static async Task<ReferralResource?> ResourceAsync(PasserelleDb db, Guid id, CancellationToken ct) =>
        (await ById.For(db)(db, id).ToListAsync(ct)).SingleOrDefault()?.ToResource();

    /// <summary>
    /// The referrals of a query with the names their resource shows (formatted in C#: SQLite's upper() knows ASCII only). Written
    /// once, and made into each compiled query below (<see cref="Named{TQuery}"/>): building the LINQ query of a five-table join
    /// and looking it up in EF Core's cache took more of the server than running it, at every request.
    /// </summary>
    private static readonly Expression<Func<PasserelleDb, IQueryable<Referral>, IQueryable<ReferralRow>>> WithNames = (db, referrals) =>
        from r in referrals
        join candidate in db.Candidates on r.CandidateId equals candidate.Id
        join offer in db.JobOffers on r.JobOfferId equals offer.Id
        join company in db.Companies on offer.CompanyId equals company.Id
        join contact in db.CompanyContacts on r.ContactId equals contact.Id
        select new ReferralRow(r, candidate.ExternalId, candidate.LastName, candidate.FirstName, offer.ExternalId, offer.Title, company.Id, company.Name,
            contact.LastName, contact.FirstName);

    /// <summary>The query of <paramref name="parameters"/> that gives the referrals of <paramref name="referrals"/> with their names.</summary>
    private static Expression<TQuery> Named<TQuery>(Expression referrals, params IEnumerable<ParameterExpression> parameters) =>
        Expression.Lambda<TQuery>(QueryParts.Apply(WithNames, parameters.First(), referrals), parameters);

    private static Expression<TQuery> Named<TQuery>(LambdaExpression referrals) => Named<TQuery>(referrals.Body, referrals.Parameters);

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, IAsyncEnumerable<ReferralRow>>> ById = new(() => EF.CompileAsyncQuery(
        Named<Func<PasserelleDb, Guid, IQueryable<ReferralRow>>>((PasserelleDb db, Guid id) => db.Referrals.AsNoTracking().Where(r => r.Id == id))));

    /// <summary>
    /// A page of the list: the referrals after the cursor (<see cref="Guid.Empty"/> for the first page: no id is smaller), a null
    /// filter left out of the SQL (EF Core writes a statement for each set of filters given), and <c>take</c> rows. The
    /// take is written into the SQL, not sent as a parameter: with its LIMIT a parameter, PostgreSQL finds no generic plan it
    /// likes for this join and planned it again at every call (five times longer than running it). A platform asks for one or
    /// two page sizes: a compiled query and a prepared statement each (<see cref="Page"/>).
    /// </summary>
    private static readonly Expression<Func<PasserelleDb, int, ReferralStage?, Guid?, Guid?, Guid?, Guid?, DateTimeOffset?, Guid, IQueryable<Referral>>> PageOfReferrals =
        (db, take, stage, offerId, companyId, contactId, candidateId, updatedSince, after) => db.Referrals.AsNoTracking()
            .Where(r => (stage == null || r.Stage == stage) && (offerId == null || r.JobOfferId == offerId)
                && (companyId == null || db.JobOffers.Any(offer => offer.Id == r.JobOfferId && offer.CompanyId == companyId))
                && (contactId == null || r.ContactId == contactId) && (candidateId == null || r.CandidateId == candidateId)
                && (updatedSince == null || r.UpdatedAt >= updatedSince) && r.Id.CompareTo(after) > 0)
            .OrderBy(r => r.Id).Take(take);

    private static readonly ConcurrentDictionary<int, CompiledQuery<PageQuery>> Pages = new();

    private static CompiledQuery<PageQuery> Page(int take) => Pages.GetOrAdd(take, _ => new(() =>
    {
        var parameters = PageOfReferrals.Parameters.Where(p => p.Name != "take").ToList();
        var referrals = QueryParts.Apply(PageOfReferrals, [parameters[0], Expression.Constant(take), .. parameters.Skip(1)]);
        return EF.CompileAsyncQuery(Named<Func<PasserelleDb, ReferralStage?, Guid?, Guid?, Guid?, Guid?, DateTimeOffset?, Guid, IQueryable<ReferralRow>>>(
            referrals, parameters));
    }));

    internal sealed record ReferralRow(
        Referral R, string? CandidateExternalId, string CandidateLast, string CandidateFirst, string? OfferExternalId, string OfferTitle,
        Guid CompanyId, string CompanyName, string ContactLast, string ContactFirst)
    {
        public ReferralRow(Referral r, ProposalParties parties) : this(r, parties.CandidateExternalId, parties.CandidateLastName,
            parties.CandidateFirstName, parties.OfferExternalId, parties.OfferTitle, parties.CompanyId, parties.CompanyName,
            parties.ContactLastName, parties.ContactFirstName)
        {
        }

        public Guid Id => R.Id;

        public ReferralResource ToResource() => new(
            R.Id, R.Stage, R.Version,
            new CandidateRef(R.CandidateId, CandidateExternalId, PersonName.Display(CandidateLast, CandidateFirst)),
            new OfferRef(R.JobOfferId, OfferExternalId, OfferTitle),
            new NamedRef(CompanyId, CompanyName),
            new NamedRef(R.ContactId, PersonName.Display(ContactLast, ContactFirst)),
            R.CreatedAt, R.UpdatedAt, R.OfferAnswer, R.OfferAnsweredAt, R.CompanyAnswer, R.CompanyAnsweredAt, R.CompanyRefusalReason,
            R.AppointmentStartsAt is { } startsAt ? new AppointmentResource(startsAt, R.AppointmentLocation, R.AppointmentComment, R.AppointmentSequence) : null,
            R.AppointmentAnswer, R.AppointmentAnsweredAt, R.Outcome, R.OutcomeRecordedAt, R.CancelledAt, R.CancellationReason);
    }
}
