using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Passerelle.Common;
using Passerelle.Companies;
using Passerelle.JobOffers;
using Passerelle.Storage;

namespace Passerelle.Api;

public sealed record CompanyInput(
    [property: Required, Description("Raison sociale (200 caractères au plus).")] string? Name,
    [property: Required, Description("SIRET, 14 chiffres (les espaces sont permis), clé de contrôle vérifiée.")] string? Siret,
    [property: Description("L'identifiant de l'entreprise dans votre plateforme, unique dans l'école (facultatif).")] string? ExternalId = null);

/// <summary>A company as the school corrects it (the back-office's correction: its checks and its history).</summary>
public sealed record CompanyUpdate(
    [property: Required, Description("Raison sociale (200 caractères au plus). L'entreprise est partagée : son nom change pour toutes les écoles qui travaillent avec elle.")] string? Name,
    [property: Description("SIRET, 14 chiffres (les espaces sont permis) ; absent : inchangé. Il ne se corrige plus dès qu'une mise en relation a été faite pour une de ses offres, dans toute école (409).")] string? Siret = null,
    [property: Description("Adresse (500 caractères au plus, plusieurs lignes permises) ; absente : retirée.")] string? Address = null,
    [property: Description("L'identifiant de l'entreprise dans votre plateforme, unique dans l'école ; absent : retiré.")] string? ExternalId = null);

public sealed record CompanyResource(Guid Id, string? ExternalId, string Name, string Siret, string? Address, DateTimeOffset CreatedAt,
    [property: Description("false quand l'école a désactivé l'entreprise : ses offres ne reçoivent plus de mises en relation.")] bool Active);

public sealed record ContactInput(
    [property: Required, Description("L'entreprise du contact (id Passerelle).")] Guid? CompanyId,
    [property: Required, Description("Nom de famille (100 caractères au plus).")] string? LastName,
    [property: Required, Description("Prénom (100 caractères au plus).")] string? FirstName,
    [property: Required, Description("Adresse e-mail : ses identifiants Passerelle Entreprises lui sont envoyés.")] string? Email,
    [property: Description("Téléphone (facultatif, 30 caractères au plus).")] string? Phone = null,
    [property: Description("L'identifiant du contact dans votre plateforme, unique dans l'école (facultatif).")] string? ExternalId = null);

/// <summary>A contact as the school corrects them (the back-office's correction: its checks, its history, the new address confirmed first).</summary>
public sealed record ContactUpdate(
    [property: Required, Description("Nom de famille (100 caractères au plus).")] string? LastName,
    [property: Required, Description("Prénom (100 caractères au plus).")] string? FirstName,
    [property: Required, Description("Adresse e-mail. Une nouvelle adresse est d'abord confirmée : un lien lui est envoyé, et elle remplace l'actuelle (et l'identifiant de connexion) quand son titulaire l'ouvre ; en attendant, elle est dans pendingEmail.")] string? Email,
    [property: Description("Téléphone (30 caractères au plus) ; absent : retiré.")] string? Phone = null,
    [property: Description("L'identifiant du contact dans votre plateforme, unique dans l'école ; absent : retiré.")] string? ExternalId = null);

public sealed record ContactResource(Guid Id, string? ExternalId, Guid CompanyId, string LastName, string FirstName, string Email, string? Phone,
    [property: Description("false quand l'école a désactivé le contact : il ne reçoit plus ses e-mails et ne peut plus être choisi.")] bool Active,
    [property: Description("La nouvelle adresse demandée, tant que son titulaire ne l'a pas confirmée (null sinon).")] string? PendingEmail);

/// <summary>
/// The address belongs to an account that works with another school: it is invited, and appears among the school's contacts
/// once it accepts in Passerelle Entreprises.
/// </summary>
public sealed record ContactInvitationResource(Guid InvitationId, Guid CompanyId, string Email, DateTimeOffset InvitedAt, string Message);

public sealed record OfferInput(
    [property: Required, Description("L'entreprise de l'offre (id Passerelle).")] Guid? CompanyId,
    [property: Required, Description("Intitulé (200 caractères au plus).")] string? Title,
    [property: Required, Description("Description (4000 caractères au plus).")] string? Description,
    [property: Description("Lieu (facultatif).")] string? Location = null,
    [property: Description("Date de début (AAAA-MM-JJ, facultative).")] DateOnly? StartsOn = null,
    [property: Description("L'identifiant de l'offre dans votre plateforme, unique dans l'école (facultatif).")] string? ExternalId = null,
    [property: Description("Le type de contrat (facultatif).")] ContractKind? Contract = null);

/// <summary>An offer as the school corrects it (the back-office's correction: its checks and its history).</summary>
public sealed record OfferUpdate(
    [property: Required, Description("Intitulé (200 caractères au plus).")] string? Title,
    [property: Required, Description("Description (4000 caractères au plus).")] string? Description,
    [property: Description("Lieu (200 caractères au plus) ; absent : retiré.")] string? Location = null,
    [property: Description("Date de début (AAAA-MM-JJ) ; absente : retirée.")] DateOnly? StartsOn = null,
    [property: Description("Le type de contrat ; absent : retiré.")] ContractKind? Contract = null,
    [property: Description("false : l'offre n'accepte plus de nouvelle mise en relation ; true : elle les accepte de nouveau ; absent : inchangé.")] bool? Active = null,
    [property: Description("L'identifiant de l'offre dans votre plateforme, unique dans l'école ; absent : retiré.")] string? ExternalId = null);

public sealed record OfferChange(
    [property: Required, Description("false : l'offre n'accepte plus de nouvelle mise en relation ; true : elle les accepte de nouveau.")] bool? Active);

public sealed record OfferResource(
    Guid Id, string? ExternalId, Guid CompanyId, string Title, string Description, string? Location, DateOnly? StartsOn, ContractKind? Contract, bool Active,
    DateTimeOffset CreatedAt);

/// <summary>
/// Companies, their contacts and their offers through the API, written by <see cref="CompanyRecords"/> like the back-office:
/// the SIRET checked, a contact's account opened and mailed (or invited), offers created active.
/// </summary>
public static class CompaniesApi
{
    public static void MapCompanies(this RouteGroupBuilder api)
    {
        var companies = api.MapGroup("/companies").WithTags("Entreprises");
        companies.MapGet("", ListCompaniesAsync).WithName("ListCompanies").WithSummary("Lister les entreprises de l'école")
            .WithDescription("Par pages (cursor, limit), dans l'ordre où l'école a ajouté les entreprises, la plus ancienne d'abord. " +
                "Une entreprise qu'une autre école connaissait déjà vient à la fin quand vous l'ajoutez : une lecture page à page en cours la voit.").ListParameters(CompanyFilters)
            .Produces<ApiPage<CompanyResource>>().ApiErrors(422);
        companies.MapPost("", CreateCompanyAsync).WithName("CreateCompany").WithSummary("Ajouter une entreprise")
            .WithDescription("Une entreprise est partagée par son SIRET : si une autre école la connaît déjà, elle est ajoutée à votre liste (201) sous son nom enregistré.")
            .Accepts<CompanyInput>("application/json").Produces<CompanyResource>(StatusCodes.Status201Created).ApiErrors(400, 409, 413, 415, 422);
        companies.MapGet("/{id:guid}", ReadCompanyAsync).WithName("GetCompany").WithSummary("Lire une entreprise").Produces<CompanyResource>().ApiErrors(404);
        companies.MapPut("/{id:guid}", UpdateCompanyAsync).WithName("UpdateCompany").WithSummary("Modifier une entreprise")
            .WithDescription("Comme dans Passerelle École : l'historique de l'entreprise garde chaque changement, au nom de la clé. Le nom, l'adresse " +
                "et le SIRET sont ceux de l'entreprise pour toutes les écoles ; l'identifiant externe est celui de votre école.")
            .Accepts<CompanyUpdate>("application/json").Produces<CompanyResource>().ApiErrors(400, 404, 409, 413, 415, 422);

        var contacts = api.MapGroup("/contacts").WithTags("Contacts entreprise");
        contacts.MapGet("", ListContactsAsync).WithName("ListContacts").WithSummary("Lister les contacts entreprise de l'école")
            .WithDescription("Par pages (cursor, limit), dans l'ordre où les contacts ont rejoint l'école, le plus ancien d'abord. " +
                "Un contact qui travaillait déjà avec une autre école vient à la fin quand il accepte votre invitation.").ListParameters(ContactFilters).Produces<ApiPage<ContactResource>>().ApiErrors(422);
        contacts.MapPost("", CreateContactAsync).WithName("CreateContact").WithSummary("Ajouter un contact entreprise")
            .WithDescription("Ouvre son compte Passerelle Entreprises et lui envoie ses identifiants (201). Si l'adresse est celle d'un compte qui " +
                "travaille avec une autre école, il reçoit une invitation (202) et apparaît parmi vos contacts quand il l'accepte.")
            .Accepts<ContactInput>("application/json").Produces<ContactResource>(StatusCodes.Status201Created)
            .Produces<ContactInvitationResource>(StatusCodes.Status202Accepted).ApiErrors(400, 404, 409, 413, 415, 422);
        contacts.MapGet("/{id:guid}", ReadContactAsync).WithName("GetContact").WithSummary("Lire un contact entreprise").Produces<ContactResource>().ApiErrors(404);
        contacts.MapPut("/{id:guid}", UpdateContactAsync).WithName("UpdateContact").WithSummary("Modifier un contact entreprise")
            .WithDescription("Comme dans Passerelle École : l'historique du contact garde chaque changement, au nom de la clé. Le nom, le téléphone " +
                "et l'adresse sont ceux du contact pour toutes les écoles ; une nouvelle adresse attend sa confirmation (pendingEmail).")
            .Accepts<ContactUpdate>("application/json").Produces<ContactResource>().ApiErrors(400, 404, 409, 413, 415, 422);

        var offers = api.MapGroup("/offers").WithTags("Offres");
        offers.MapGet("", ListOffersAsync).WithName("ListOffers").WithSummary("Lister les offres")
            .WithDescription("Par pages (cursor, limit), dans l'ordre de création.").ListParameters(OfferFilters).Produces<ApiPage<OfferResource>>().ApiErrors(422);
        offers.MapPost("", CreateOfferAsync).WithName("CreateOffer").WithSummary("Créer une offre (active)")
            .Accepts<OfferInput>("application/json").Produces<OfferResource>(StatusCodes.Status201Created).ApiErrors(400, 404, 409, 413, 415, 422);
        offers.MapGet("/{id:guid}", ReadOfferAsync).WithName("GetOffer").WithSummary("Lire une offre").Produces<OfferResource>().ApiErrors(404);
        offers.MapPut("/{id:guid}", UpdateOfferAsync).WithName("UpdateOffer").WithSummary("Modifier une offre")
            .WithDescription("Comme dans Passerelle École : l'historique de l'offre garde chaque changement, au nom de la clé. Les e-mails déjà " +
                "envoyés gardent leur texte ; les suivants disent la nouvelle version.")
            .Accepts<OfferUpdate>("application/json").Produces<OfferResource>().ApiErrors(400, 404, 409, 413, 415, 422);
        offers.MapPatch("/{id:guid}", ChangeOfferAsync).WithName("ChangeOffer").WithSummary("Activer ou désactiver une offre")
            .WithDescription("Le changement est gardé dans l'historique de l'offre, au nom de la clé.")
            .Accepts<OfferChange>("application/json").Produces<OfferResource>().ApiErrors(400, 404, 409, 415, 422);
    }

    private static CompanyResource Resource(Company c, string? externalId, bool active = true) => new(c.Id, externalId, c.Name, c.Siret, c.Address, c.CreatedAt, active);

    private static readonly ApiListParameters CompanyFilters = new(
        ApiParameter.Text("externalId", "L'identifiant de l'entreprise dans la plateforme de l'école.", CandidatesApi.MaxExternalIdLength),
        ApiParameter.Text("siret", "Le SIRET de l'entreprise : 14 chiffres, espaces permis.", 30));

    private static readonly ApiListParameters ContactFilters = new(
        ApiParameter.Id("companyId", "Les contacts de cette entreprise."),
        ApiParameter.Text("externalId", "L'identifiant du contact dans la plateforme de l'école.", CandidatesApi.MaxExternalIdLength),
        ApiParameter.Text("email", "L'adresse e-mail du contact, sans distinction de casse : pour retrouver un contact que l'école a ajouté à la main.", Common.EmailAddress.MaxLength));

    private static readonly ApiListParameters OfferFilters = new(
        ApiParameter.Id("companyId", "Les offres de cette entreprise."),
        ApiParameter.Flag("active", "true : les offres actives seulement ; false : les inactives seulement."),
        ApiParameter.Text("externalId", "L'identifiant de l'offre dans la plateforme de l'école.", CandidatesApi.MaxExternalIdLength));

    private static async Task<Results<Ok<ApiPage<CompanyResource>>, ProblemHttpResult>> ListCompaniesAsync(HttpContext http, PasserelleDb db)
    {
        var query = new ApiQuery(http.Request.Query, CompanyFilters);
        var externalId = query.Text("externalId");
        var siretText = query.Text("siret");
        var limit = query.Limit();
        var after = query.AfterAdded();
        var siret = siretText is null ? null : Siret.Normalize(siretText);
        if (siretText is not null && siret is null)
            query.Errors["siret"] = [CompanyRecords.InvalidSiret];
        if (!query.IsValid)
            return ApiProblem.Invalid(query.Errors);
        var rows = from link in db.SchoolCompanies
                   join company in db.Companies on link.CompanyId equals company.Id
                   select new { company, link.ExternalId, Active = link.DeactivatedAt == null, AddedAt = link.CreatedAt };
        if (externalId is not null)
            rows = rows.Where(r => r.ExternalId == externalId);
        if (siret is not null)
            rows = rows.Where(r => r.company.Siret == siret);
        if (after is var (addedAt, afterId))
            rows = rows.Where(r => r.AddedAt > addedAt || (r.AddedAt == addedAt && r.company.Id.CompareTo(afterId) > 0));
        var page = await ApiQuery.TakePage(rows.AsNoTracking().OrderBy(r => r.AddedAt).ThenBy(r => r.company.Id), limit).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(ApiQuery.Page(page, limit, r => Resource(r.company, r.ExternalId, r.Active), r => ApiQuery.Cursor(r.AddedAt, r.company.Id)));
    }

    private static async Task<Results<Ok<CompanyResource>, ProblemHttpResult>> ReadCompanyAsync(Guid id, PasserelleDb db, CancellationToken ct)
    {
        var row = await (from link in db.SchoolCompanies
                         join company in db.Companies on link.CompanyId equals company.Id
                         where company.Id == id
                         select new { company, link.ExternalId, Active = link.DeactivatedAt == null }).AsNoTracking().SingleOrDefaultAsync(ct);
        return row is null ? ApiProblem.NotFound("Cette entreprise est introuvable.") : TypedResults.Ok(Resource(row.company, row.ExternalId, row.Active));
    }

    private static async Task<IResult> CreateCompanyAsync(HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<CompanyInput>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        if (OneLine.OrNull(input!.Name) is null || input.Name!.Length > 200)
            errors["name"] = ["Indiquez le nom de l'entreprise (200 caractères au plus)."];
        if (Siret.Normalize(input.Siret) is null)
            errors["siret"] = [CompanyRecords.InvalidSiret];
        if (ApiValidation.ExternalIdProblem(input.ExternalId) is { } externalProblem)
            errors["externalId"] = [externalProblem];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var (company, refusal) = await CompanyRecords.AddAsync(db, input.Name!, input.Siret, input.ExternalId, addExisting: true, clock.GetUtcNow(), http.RequestAborted);
        if (refusal is not null)
        {
            return company is null
                ? ApiProblem.Of(StatusCodes.Status409Conflict, refusal)
                : TypedResults.Problem(refusal, statusCode: 409, title: ApiProblem.Title(409), extensions: new Dictionary<string, object?> { ["companyId"] = company.Id });
        }
        return TypedResults.Created($"{ApiAccess.Root}/companies/{company!.Id}", Resource(company, input.ExternalId));
    }

    private static async Task<Results<Ok<ApiPage<ContactResource>>, ProblemHttpResult>> ListContactsAsync(HttpContext http, PasserelleDb db)
    {
        var query = new ApiQuery(http.Request.Query, ContactFilters);
        var companyId = query.Id("companyId");
        var externalId = query.Text("externalId");
        var emailText = query.Text("email");
        var limit = query.Limit();
        var after = query.AfterAdded();
        var email = Common.EmailAddress.Normalize(emailText);
        if (emailText is not null && email is null)
            query.Errors["email"] = ["« email » n'est pas une adresse e-mail valide."];
        if (!query.IsValid)
            return ApiProblem.Invalid(query.Errors);
        var rows = from link in db.SchoolContacts
                   join contact in db.CompanyContacts on link.ContactId equals contact.Id
                   select new { contact, link.ExternalId, Active = link.DeactivatedAt == null, AddedAt = link.CreatedAt };
        if (companyId is { } company)
            rows = rows.Where(r => r.contact.CompanyId == company);
        if (externalId is not null)
            rows = rows.Where(r => r.ExternalId == externalId);
        if (email is not null)
            rows = rows.Where(r => r.contact.Email == email);
        if (after is var (addedAt, afterId))
            rows = rows.Where(r => r.AddedAt > addedAt || (r.AddedAt == addedAt && r.contact.Id.CompareTo(afterId) > 0));
        var page = await ApiQuery.TakePage(rows.AsNoTracking().OrderBy(r => r.AddedAt).ThenBy(r => r.contact.Id), limit).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(ApiQuery.Page(page, limit, r => Resource(r.contact, r.ExternalId, r.Active), r => ApiQuery.Cursor(r.AddedAt, r.contact.Id)));
    }

    /// <summary>A contact's fields as the API checks them (422 by field), for a new contact and a correction alike.</summary>
    private static Dictionary<string, string[]> ContactErrors(string? lastName, string? firstName, string? email, string? phone, string? externalId)
    {
        var errors = new Dictionary<string, string[]>();
        ApiValidation.Text(errors, "lastName", lastName, 100, required: true);
        ApiValidation.Text(errors, "firstName", firstName, 100, required: true);
        ApiValidation.Text(errors, "email", email, 200, required: true);
        ApiValidation.Text(errors, "phone", phone, 30);
        if (!errors.ContainsKey("email") && Common.EmailAddress.Normalize(email) is null)
            errors["email"] = ["L'adresse e-mail du contact n'est pas valide."];
        if (ApiValidation.ExternalIdProblem(externalId) is { } externalProblem)
            errors["externalId"] = [externalProblem];
        return errors;
    }

    private static ContactResource Resource(CompanyContact c, string? externalId, bool active = true) =>
        new(c.Id, externalId, c.CompanyId, c.LastName, c.FirstName, c.Email, c.Phone, active, c.PendingEmail);

    private static async Task<Results<Ok<ContactResource>, ProblemHttpResult>> ReadContactAsync(Guid id, PasserelleDb db, CancellationToken ct)
    {
        var row = await (from link in db.SchoolContacts
                         join contact in db.CompanyContacts on link.ContactId equals contact.Id
                         where contact.Id == id
                         select new { contact, link.ExternalId, Active = link.DeactivatedAt == null }).AsNoTracking().SingleOrDefaultAsync(ct);
        return row is null ? ApiProblem.NotFound("Ce contact est introuvable.") : TypedResults.Ok(Resource(row.contact, row.ExternalId, row.Active));
    }

    private static async Task<IResult> CreateContactAsync(HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<ContactInput>(http.Request);
        if (problem is not null)
            return problem;
        var errors = ContactErrors(input!.LastName, input.FirstName, input.Email, input.Phone, input.ExternalId);
        if (input.CompanyId is null)
            errors["companyId"] = ["Indiquez l'entreprise du contact."];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var ct = http.RequestAborted;
        if (!await db.SchoolCompanies.AnyAsync(l => l.CompanyId == input.CompanyId, ct))
            return ApiProblem.NotFound("Cette entreprise est introuvable.");
        var added = await CompanyRecords.AddContactAsync(db, input.CompanyId!.Value, input.LastName!, input.FirstName!, input.Email!, input.Phone,
            input.ExternalId, ApiCaller.Of(http).StaffId, clock.GetUtcNow(), ct);
        if (added.Problem is { } refusal)
            return ApiProblem.Of(StatusCodes.Status409Conflict, refusal);
        if (added.Created is { } contact)
            return TypedResults.Created($"{ApiAccess.Root}/contacts/{contact.Id}", Resource(contact, input.ExternalId));
        var invitation = added.Invitation!;
        return TypedResults.Accepted((string?)null, new ContactInvitationResource(invitation.Id, invitation.CompanyId, invitation.Email, invitation.CreatedAt,
            "Cette adresse est celle d'un compte Passerelle Entreprises : une invitation lui est envoyée ; le contact apparaîtra dès qu'il l'aura acceptée."));
    }

    /// <summary>An offer's fields as the API checks them (422 by field), for a new offer and a correction alike.</summary>
    private static Dictionary<string, string[]> OfferErrors(string? title, string? description, string? location, string? externalId)
    {
        var errors = new Dictionary<string, string[]>();
        ApiValidation.Text(errors, "title", title, 200, required: true);
        ApiValidation.Text(errors, "description", description, 4000, required: true);
        ApiValidation.Text(errors, "location", location, 200);
        if (ApiValidation.ExternalIdProblem(externalId) is { } externalProblem)
            errors["externalId"] = [externalProblem];
        return errors;
    }

    private static OfferResource Resource(JobOffer o) =>
        new(o.Id, o.ExternalId, o.CompanyId, o.Title, o.Description, o.Location, o.StartsOn, o.Contract, o.IsActive, o.CreatedAt);

    private static async Task<Results<Ok<ApiPage<OfferResource>>, ProblemHttpResult>> ListOffersAsync(HttpContext http, PasserelleDb db)
    {
        var query = new ApiQuery(http.Request.Query, OfferFilters);
        var companyId = query.Id("companyId");
        var active = query.Flag("active");
        var externalId = query.Text("externalId");
        var limit = query.Limit();
        var after = query.After();
        if (!query.IsValid)
            return ApiProblem.Invalid(query.Errors);
        var offers = db.JobOffers.AsNoTracking().Where(o => !o.IsSpontaneous);
        if (companyId is { } company)
            offers = offers.Where(o => o.CompanyId == company);
        if (active is { } isActive)
            offers = offers.Where(o => o.IsActive == isActive);
        if (externalId is not null)
            offers = offers.Where(o => o.ExternalId == externalId);
        if (after is { } cursor)
            offers = offers.Where(o => o.Id.CompareTo(cursor) > 0);
        var page = await ApiQuery.TakePage(offers.OrderBy(o => o.Id), limit).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(ApiQuery.Page(page.ConvertAll(Resource), limit, o => o.Id));
    }

    private static async Task<Results<Ok<OfferResource>, ProblemHttpResult>> ReadOfferAsync(Guid id, PasserelleDb db, CancellationToken ct) =>
        await db.JobOffers.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct) is { } offer
            ? TypedResults.Ok(Resource(offer))
            : ApiProblem.NotFound("Cette offre est introuvable.");

    private static async Task<IResult> CreateOfferAsync(HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<OfferInput>(http.Request);
        if (problem is not null)
            return problem;
        var errors = OfferErrors(input!.Title, input.Description, input.Location, input.ExternalId);
        if (input.CompanyId is null)
            errors["companyId"] = ["Indiquez l'entreprise de l'offre."];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var ct = http.RequestAborted;
        if (!await db.SchoolCompanies.AnyAsync(l => l.CompanyId == input.CompanyId, ct))
            return ApiProblem.NotFound("Cette entreprise est introuvable.");
        var (offer, refusal) = await CompanyRecords.AddOfferAsync(db, input.CompanyId!.Value, input.Title!, input.Description!, input.Location, input.StartsOn,
            input.ExternalId, clock.GetUtcNow(), ct, input.Contract);
        return refusal is not null
            ? ApiProblem.Of(StatusCodes.Status409Conflict, refusal)
            : TypedResults.Created($"{ApiAccess.Root}/offers/{offer!.Id}", Resource(offer));
    }

    private static async Task<IResult> ChangeOfferAsync(Guid id, HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<OfferChange>(http.Request);
        if (problem is not null)
            return problem;
        if (input!.Active is null)
            return ApiProblem.Invalid("active", "Indiquez active : true ou false.");
        var offer = await db.JobOffers.SingleOrDefaultAsync(o => o.Id == id && !o.IsSpontaneous, http.RequestAborted);
        if (offer is null)
            return ApiProblem.NotFound("Cette offre est introuvable.");
        var caller = ApiCaller.Of(http);
        var refusal = await Changes.Corrections.EditOfferAsync(db, offer, new Changes.OfferEdit(offer.Title, offer.Description, offer.Location, offer.Contract,
            offer.StartsOn, input.Active.Value), caller.StaffId, caller.ActorName, clock.GetUtcNow(), http.RequestAborted);
        return refusal is not null ? ApiProblem.Of(StatusCodes.Status409Conflict, refusal) : TypedResults.Ok(Resource(offer));
    }

    private static async Task<IResult> UpdateOfferAsync(Guid id, HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<OfferUpdate>(http.Request);
        if (problem is not null)
            return problem;
        var errors = OfferErrors(input!.Title, input.Description, input.Location, input.ExternalId);
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var ct = http.RequestAborted;
        if (await db.JobOffers.SingleOrDefaultAsync(o => o.Id == id && !o.IsSpontaneous, ct) is not { } offer)
            return ApiProblem.NotFound("Cette offre est introuvable.");
        var caller = ApiCaller.Of(http);
        var edit = new Changes.OfferEdit(input.Title, input.Description, input.Location, input.Contract, input.StartsOn, input.Active ?? offer.IsActive);
        return await CorrectAsync(db, () => offer.ExternalId = input.ExternalId, "Une autre offre de l'école porte déjà cet identifiant externe.",
            () => Changes.Corrections.EditOfferAsync(db, offer, edit, caller.StaffId, caller.ActorName, clock.GetUtcNow(), ct), ct)
            ?? (IResult)TypedResults.Ok(Resource(offer));
    }

    private static async Task<IResult> UpdateCompanyAsync(Guid id, HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<CompanyUpdate>(http.Request);
        if (problem is not null)
            return problem;
        var errors = new Dictionary<string, string[]>();
        ApiValidation.Text(errors, "name", input!.Name, 200, required: true);
        if (input.Siret is not null && Siret.Normalize(input.Siret) is null)
            errors["siret"] = [CompanyRecords.InvalidSiret];
        ApiValidation.Text(errors, "address", input.Address, 500);
        if (ApiValidation.ExternalIdProblem(input.ExternalId) is { } externalProblem)
            errors["externalId"] = [externalProblem];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var ct = http.RequestAborted;
        if (await db.SchoolCompanies.SingleOrDefaultAsync(l => l.CompanyId == id, ct) is not { } link)
            return ApiProblem.NotFound("Cette entreprise est introuvable.");
        var caller = ApiCaller.Of(http);
        var edit = new Changes.CompanyEdit(input.Name, input.Address, input.Siret);
        if (await CorrectAsync(db, () => link.ExternalId = input.ExternalId, "Une autre entreprise de l'école porte déjà cet identifiant externe.",
                () => Changes.Corrections.EditCompanyAsync(db, id, edit, caller.StaffId, caller.ActorName, clock.GetUtcNow(), ct), ct) is { } refused)
            return refused;
        var company = await db.Companies.AsNoTracking().SingleAsync(c => c.Id == id, ct);
        return TypedResults.Ok(Resource(company, link.ExternalId, link.DeactivatedAt is null));
    }

    private static async Task<IResult> UpdateContactAsync(Guid id, HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<ContactUpdate>(http.Request);
        if (problem is not null)
            return problem;
        var errors = ContactErrors(input!.LastName, input.FirstName, input.Email, input.Phone, input.ExternalId);
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var ct = http.RequestAborted;
        if (await db.SchoolContacts.SingleOrDefaultAsync(l => l.ContactId == id, ct) is not { } link)
            return ApiProblem.NotFound("Ce contact est introuvable.");
        var contact = await db.CompanyContacts.SingleAsync(c => c.Id == id, ct);
        var caller = ApiCaller.Of(http);
        var edit = new Changes.ContactEdit(input.LastName, input.FirstName, input.Phone, input.Email);
        return await CorrectAsync(db, () => link.ExternalId = input.ExternalId, "Un autre contact de l'école porte déjà cet identifiant externe.",
            async () => (await Changes.Corrections.EditContactAsync(db, contact, edit, caller.StaffId, caller.ActorName, clock.GetUtcNow(), ct)).Problem, ct)
            ?? (IResult)TypedResults.Ok(Resource(contact, link.ExternalId, link.DeactivatedAt is null));
    }

    /// <summary>
    /// A correction made by the back-office's own code (<see cref="Changes.Corrections"/>: its checks, its history, its mails) together
    /// with the school's external id, in one transaction: a refusal of either changes nothing. The fields were checked before, so
    /// what the correction still refuses is a conflict with what Passerelle holds (409): a SIRET fixed by a referral or another
    /// company's, an address another account uses.
    /// </summary>
    private static async Task<ProblemHttpResult?> CorrectAsync(PasserelleDb db, Action setExternalId, string externalIdTaken, Func<Task<string?>> correction,
        CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        setExternalId();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return ApiProblem.Of(StatusCodes.Status409Conflict, externalIdTaken);
        }
        if (await correction() is { } refusal)
        {
            db.ChangeTracker.Clear();
            return ApiProblem.Of(StatusCodes.Status409Conflict, refusal);
        }
        await transaction.CommitAsync(ct);
        return null;
    }
}
