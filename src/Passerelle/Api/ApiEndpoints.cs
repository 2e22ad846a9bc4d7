using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Passerelle.Api;

/// <summary>
/// The JSON API under <c>/api/v1</c>, for the school's own platform: its services, its OpenAPI document at
/// <c>/openapi/v1.json</c> and the browsable reference at <c>/api/docs</c>. Every route needs a key (<see cref="ApiAccess"/>).
/// </summary>
public static class ApiEndpoints
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string DocsPath = "/api/docs";

    public static IServiceCollection AddPasserelleApi(this IServiceCollection services, IConfiguration configuration)
    {
        var perMinute = configuration.GetValue<int?>("Api:RequestsPerMinute") ?? ApiRateLimit.DefaultPerMinute;
        if (perMinute < 1)
            throw new Storage.StartupException($"Api:RequestsPerMinute is {perMinute}: give the number of requests a key may make in a minute (600 by default).");
        services.AddSingleton(new ApiRateLimit(perMinute));
        services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer(DescribeAsync);
            options.AddOperationTransformer(ApiExamples.AddAsync);
            options.AddOperationTransformer(DescribeListParametersAsync);
            options.AddOperationTransformer(DescribePathParametersAsync);
            options.AddOperationTransformer(DescribeIdempotencyAsync);
            options.AddSchemaTransformer(RequiredFieldsAsync);
            options.AddDocumentTransformer(Webhooks.WebhookDocumentation.DescribeAsync);
        });
        return services;
    }

    public static void MapPasserelleApi(this WebApplication app)
    {
        var api = app.MapGroup(ApiAccess.Root).DisableAntiforgery().AddEndpointFilter(Storage.HeldConnection.ReleasedAfterEndpointAsync);
        api.MapCandidates();
        api.MapCompanies();
        api.MapReferrals();
        api.MapPushes();
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(DocsPath, options => options
            .WithTitle("Passerelle — API")
            .WithOpenApiRoutePattern(DocumentPath)
            .AddPreferredSecuritySchemes("bearer")
            // Nothing loaded from or sent to elsewhere: no web fonts, no telemetry, no assistant, and no developer toolbar (shown on
            // localhost by default; its "Share" sends the document to Scalar's service).
            .HideDeveloperTools()
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
    }

    /// <summary>Every operation's error answers: its own, plus 401 (key) and 429 (budget), all problem details.</summary>
    public static RouteHandlerBuilder ApiErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Append(StatusCodes.Status401Unauthorized).Append(StatusCodes.Status429TooManyRequests).Distinct())
        {
            // A 422 names the fields in error (errors: field → messages).
            if (status == StatusCodes.Status422UnprocessableEntity)
                builder.ProducesValidationProblem(status);
            else
                builder.ProducesProblem(status);
        }
        return builder;
    }

    /// <summary>A list's query parameters (<see cref="ApiListParameters"/>): in its OpenAPI operation, and the only ones it accepts.</summary>
    public static RouteHandlerBuilder ListParameters(this RouteHandlerBuilder builder, ApiListParameters parameters) => builder.WithMetadata(parameters);

    private static Task DescribeListParametersAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiListParameters>().FirstOrDefault() is not { } list)
            return Task.CompletedTask;
        operation.Parameters ??= [];
        foreach (var filter in list.Filters)
        {
            var schema = filter.Kind switch
            {
                ApiParameterKind.Id => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
                ApiParameterKind.Choice => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. filter.Choices!.Select(c => (JsonNode)c)] },
                ApiParameterKind.Flag => new OpenApiSchema { Type = JsonSchemaType.Boolean },
                ApiParameterKind.Instant => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                _ => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = filter.MaxLength },
            };
            operation.Parameters.Add(new OpenApiParameter { Name = filter.Name, In = ParameterLocation.Query, Description = filter.Description, Schema = schema });
        }
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "limit", In = ParameterLocation.Query, Description = $"Le nombre d'éléments de la page : {ApiQuery.DefaultLimit} par défaut, {ApiQuery.MaxLimit} au plus.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = $"{ApiQuery.MaxLimit}", Default = ApiQuery.DefaultLimit },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "cursor", In = ParameterLocation.Query, Description = "Le nextCursor de la page précédente, tel quel ; absent pour la première page.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        return Task.CompletedTask;
    }

    /// <summary>A creation that takes an <c>Idempotency-Key</c> (<see cref="Idempotency.RunAsync"/>): the header in its OpenAPI operation.</summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder builder) => builder.WithMetadata(new IdempotentCreation());

    private sealed record IdempotentCreation;

    private static Task DescribeIdempotencyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentCreation>().Any())
            return Task.CompletedTask;
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = Idempotency.Header, In = ParameterLocation.Header,
            Description = "Facultatif, recommandé : une clé de votre choix pour cette requête (un UUID, par exemple). La même requête renvoyée avec " +
                "la même clé dans les 24 heures (après une coupure, un délai dépassé) reçoit la première réponse, sans rien créer ni envoyer de plus ; " +
                "la même clé avec un autre corps est refusée (422).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = Idempotency.MaxKeyLength, Pattern = "^[!-~]+$" },
        });
        if (operation.Responses?.TryGetValue("201", out var created) == true && created is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[Idempotency.ReplayedHeader] = new OpenApiHeader
            {
                Description = "true quand la réponse est celle d'une requête précédente de même clé (rien n'a été créé de nouveau).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["true"] },
            };
        }
        return Task.CompletedTask;
    }

    /// <summary>What the ids in a path are: the same few names on every route.</summary>
    private static Task DescribePathParametersAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path) ?? [])
        {
            parameter.Description ??= parameter.Name switch
            {
                "id" => "L'id Passerelle de la ressource (tel que l'API l'a donné).",
                "documentId" => "L'id Passerelle du document.",
                "externalId" => "L'identifiant dans votre plateforme (externalId), unique dans l'école.",
                _ => null,
            };
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A request's field marked <see cref="RequiredAttribute"/> is one the API answers 422 without, absent or null: required,
    /// and not nullable, in the document. The request types declare such fields nullable all the same, so that a body
    /// without one is read and answered with the API's own French message (<see cref="ApiJson"/>); their optional fields
    /// have a default value, which keeps them out of <c>required</c>.
    /// </summary>
    private static Task RequiredFieldsAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        switch (context.JsonPropertyInfo)
        {
            case null when context.JsonTypeInfo.Type == typeof(IFormFile):
                // The file's own schema (a property says whether it may be absent): the only form with one requires it.
                schema.Type &= ~JsonSchemaType.Null;
                break;
            case null:
                // A form's class has properties, which the framework leaves out of "required" (a record's parameters are in it).
                foreach (var property in context.JsonTypeInfo.Properties.Where(IsRequired))
                    (schema.Required ??= new HashSet<string>()).Add(property.Name);
                break;
            case var property when IsRequired(property):
                schema.Type &= ~JsonSchemaType.Null;
                // An enum or an object is referenced: from this mark the framework makes a nullable one "oneOf: null or the
                // reference", after the transformers (OpenApiTests checks that no required field comes out nullable).
                schema.Metadata?.Remove("x-is-nullable-property");
                break;
        }
        return Task.CompletedTask;
    }

    private static bool IsRequired(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) =>
        property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: false) == true;

    private static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Passerelle — API d'intégration",
            Version = "v1",
            Description = "L'API de Passerelle pour la plateforme de l'école : candidats, entreprises, contacts, offres, mises en relation et push CV. " +
                "Chaque requête présente une clé de l'école (Passerelle École, page Intégrations) : « Authorization: Bearer pas_… ». " +
                "Une clé ne voit que son école. Les erreurs sont des problem details (RFC 9457) en français, les champs en cause sous « errors ».",
            Contact = new OpenApiContact { Name = "Passerelle" },
            License = new OpenApiLicense { Name = "Propriétaire", Identifier = "LicenseRef-Passerelle" },
        };
        document.Servers = [new OpenApiServer { Url = "/", Description = "Cette instance de Passerelle" }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            ["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "pas_…",
                Description = "Une clé d'API de l'école, créée dans Passerelle École (Intégrations) ou par « Passerelle apikey create ».",
            },
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Candidats", Description = "Les candidats de l'école et leurs documents." },
            new() { Name = "Entreprises", Description = "Les entreprises avec lesquelles l'école travaille (partagées par leur SIRET)." },
            new() { Name = "Contacts entreprise", Description = "Les personnes des entreprises, avec leur compte Passerelle Entreprises." },
            new() { Name = "Offres", Description = "Les offres des entreprises publiées par l'école." },
            new() { Name = "Mises en relation", Description = "Les mises en relation, leur suivi et les réponses des parties." },
            new() { Name = "Push CV", Description = "Les profils proposés aux entreprises sans offre (module push CV)." },
        };
        return Task.CompletedTask;
    }
}

/// <summary>An example for each request body and each problem answer of the OpenAPI document.</summary>
internal static class ApiExamples
{
    private static readonly Dictionary<string, string> Requests = new()
    {
        ["CreateCandidate"] = """{"lastName":"Techer","firstName":"Margaud","email":"margaud.techer@example.org","phone":"06 12 34 56 78","externalId":"ETU-2026-0042"}""",
        ["UpdateCandidate"] = """{"lastName":"Techer","firstName":"Margaud","email":"margaud.techer@example.org","phone":null,"externalId":"ETU-2026-0042"}""",
        ["UpsertCandidate"] = """{"lastName":"Techer","firstName":"Margaud","email":"margaud.techer@example.org","phone":null,"externalId":"ETU-2026-0042"}""",
        ["CreateCompany"] = """{"name":"Laboriosam SARL","siret":"732 829 320 00074","externalId":"ENT-17"}""",
        ["CreateContact"] = """{"companyId":"0193a1f0-5c1e-7b6a-9d2e-3f4a5b6c7d8e","lastName":"Lefebvre","firstName":"Sophie","email":"sophie.lefebvre@laboriosam.example","phone":null,"externalId":"CT-88"}""",
        ["CreateOffer"] = """{"companyId":"0193a1f0-5c1e-7b6a-9d2e-3f4a5b6c7d8e","title":"Alternance développeur web","description":"Deux ans en alternance au sein de l'équipe produit.","location":"Bordeaux","startsOn":"2027-09-01","contract":"apprenticeship","externalId":"OFF-301"}""",
        ["ChangeOffer"] = """{"active":false}""",
        ["UpdateCompany"] = """{"name":"Laboriosam SA","siret":"732 829 320 00074","address":"12 rue des Écoles\n33000 Bordeaux","externalId":"ENT-17"}""",
        ["UpdateContact"] = """{"lastName":"Lefebvre","firstName":"Sophie","email":"s.lefebvre@laboriosam.example","phone":"05 56 00 00 00","externalId":"CT-88"}""",
        ["UpdateOffer"] = """{"title":"Alternance développeur web","description":"Deux ans en alternance au sein de l'équipe produit.","location":"Bordeaux","startsOn":"2027-09-01","contract":"apprenticeship","active":true,"externalId":"OFF-301"}""",
        ["CreateReferrals"] = """{"offerId":"0193a1f0-5c1e-7b6a-9d2e-3f4a5b6c7d8e","contactId":"0193a1f1-0000-7000-8000-000000000001","candidates":[{"candidateId":"0193a1f2-0000-7000-8000-000000000002","sharedDocumentIds":["0193a1f3-0000-7000-8000-000000000003"]}]}""",
        ["AnswerReferral"] = """{"party":"company","answer":"acceptCandidate","version":2,"appointment":{"startsAt":"2027-01-12T14:30:00+01:00","location":"12 rue des Écoles, Bordeaux","comment":"Au plaisir !"},"comment":null,"reason":null}""",
        ["CancelReferral"] = """{"reason":"Offre pourvue","version":3}""",
        ["RecordReferralOutcome"] = """{"outcome":"recruited","party":"company","version":5}""",
        ["CreatePush"] = """{"profiles":[{"candidateId":"0193a1f2-0000-7000-8000-000000000002","documentIds":["0193a1f3-0000-7000-8000-000000000003"]}],"contactIds":["0193a1f1-0000-7000-8000-000000000001"],"message":"Une candidate sérieuse."}""",
    };

    public static Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.OperationId is { } id && Requests.TryGetValue(id, out var example) && operation.RequestBody?.Content is { } content
            && content.TryGetValue("application/json", out var json) && json is OpenApiMediaType media)
            media.Example = JsonNode.Parse(example);
        foreach (var (code, response) in operation.Responses ?? [])
        {
            if (!int.TryParse(code, out var status) || status < 400 || response.Content is not { } problems)
                continue;
            foreach (var (_, problemMedia) in problems)
            {
                if (problemMedia is OpenApiMediaType problemType)
                    problemType.Example = Problem(status);
            }
        }
        return Task.CompletedTask;
    }

    private static JsonObject Problem(int status)
    {
        var problem = new JsonObject
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110",
            ["title"] = ApiProblem.Title(status),
            ["status"] = status,
            ["detail"] = ApiProblem.Detail(status),
        };
        if (status == StatusCodes.Status422UnprocessableEntity)
            problem["errors"] = new JsonObject { ["email"] = new JsonArray("L'adresse e-mail n'est pas valide.") };
        return problem;
    }
}
