using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Update;
using Passerelle.Accounts;
using Passerelle.Api;
using Passerelle.Candidates;
using Passerelle.Common;
using Passerelle.CompanyPortal;
using Passerelle.Email;
using Passerelle.Email.Templates;
using Passerelle.Referrals;
using Passerelle.SchoolOffice;
using Passerelle.Storage;

namespace Passerelle.Hosting;

public static class PasserelleApp
{
    /// <summary>Registers everything Passerelle needs; configuration mistakes surface here as <see cref="StartupException"/>.</summary>
    public static WebApplicationBuilder AddPasserelle(this WebApplicationBuilder builder)
    {
        var database = DatabaseOptions.FromConfiguration(builder.Configuration, builder.Environment.IsDevelopment());
        var email = EmailOptions.FromConfiguration(builder.Configuration);
        var keyRing = KeyRingOptions.FromConfiguration(builder.Configuration);
        if (ProductionChecks.Settings(builder.Environment, database, email) is { Count: > 0 } problems)
            throw new StartupException(string.Join('\n', problems));
        KeepLinkTokensOutOfLogs(builder.Logging);
        if (string.Equals(builder.Configuration["Logging:Format"], "Json", StringComparison.OrdinalIgnoreCase))
            JsonLogs(builder.Logging);
        var services = builder.Services;
        services.AddPasserelleTelemetry(builder.Configuration);
        services.AddSingleton(database);
        services.AddSingleton<TimeProvider>(new MicrosecondClock(TimeProvider.System));
        // Contexts come from a pool: setting one up costs more than the busiest pages' queries (bench/findings.md);
        // each is handed out working for no school, so a recycled context never keeps an earlier request's scope.
        services.AddPooledDbContextFactory<PasserelleDb>((provider, options) => Configure(options, provider, database.ConnectionString));
        // The outbox dispatcher has its own pool of contexts and connections on PostgreSQL (Storage/DispatcherScopes.cs).
        services.AddKeyedSingleton<IDbContextFactory<PasserelleDb>>(DispatcherScopes.Key, (provider, _) => database.Provider == DatabaseProvider.PostgreSQL
            ? new PooledDbContextFactory<PasserelleDb>(Configure(new DbContextOptionsBuilder<PasserelleDb>().UseApplicationServiceProvider(provider),
                provider, database.DispatcherConnectionString).Options)
            : provider.GetRequiredService<IDbContextFactory<PasserelleDb>>());
        services.AddScoped<ScopeConnections>();
        services.AddScoped(provider => (provider.GetRequiredService<ScopeConnections>().Dispatcher
            ? provider.GetRequiredKeyedService<IDbContextFactory<PasserelleDb>>(DispatcherScopes.Key)
            : provider.GetRequiredService<IDbContextFactory<PasserelleDb>>()).CreateDbContext().Unscoped());
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<DatabaseStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseStartup>());
        services.AddScoped<ReferralActions>();
        services.AddScoped<CvPushes.CvPushActions>();
        services.AddSingleton(keyRing);
        services.AddSingleton(DocumentsOptions.FromConfiguration(builder.Configuration));
        services.AddSingleton<DocumentStorage>();
        services.AddSingleton<CsvImports.ImportUploads>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<PasswordSetup>();
        services.AddScoped<PasswordResets>();
        services.AddScoped<PersonalData.DataExport>();
        services.AddScoped<PersonalData.Erasure>();
        services.AddScoped<PersonalData.AccountErasure>();
        var cookies = new CookiePolicy(builder.Environment.IsDevelopment());
        services.AddSingleton(cookies);
        services.AddAntiforgery(options =>
        {
            cookies.Apply(options.Cookie, "passerelle.af");
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(options =>
        {
            cookies.Apply(options.Cookie, "passerelle.message");
            options.Cookie.SameSite = SameSiteMode.Lax;
        });
        services.AddLoginRateLimit();
        services.AddCompanyPortal(cookies);
        services.AddSchoolOffice(cookies);
        // Cookies and antiforgery tokens are signed with keys every instance reads from the database.
        services.AddDataProtection().SetApplicationName("Passerelle").ProtectKeys(keyRing);
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<KeyManagementOptions>>(provider =>
            new Microsoft.Extensions.Options.ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new DatabaseKeyRepository(provider.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System)));
        AddEmail(services, email, database, builder.Configuration.GetValue("PersonalData:RetentionJobEnabled", true));
        services.AddProblemDetails();
        services.AddPasserelleApi(builder.Configuration);
        AddWebhooks(services, Webhooks.WebhookOptions.FromConfiguration(builder.Configuration, builder.Environment));
        services.AddRequestLimits();
        // Behind a load balancer: the client's address and scheme come from X-Forwarded-For / -Proto, trusted only
        // from the proxies listed in ForwardedHeaders:KnownProxies (loopback by default), so the login rate limit
        // counts per person, not per proxy.
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            {
                if (!System.Net.IPAddress.TryParse(proxy, out var address))
                    throw new StartupException($"ForwardedHeaders:KnownProxies has '{proxy}', which is not an IP address.");
                options.KnownProxies.Add(address);
            }
            // Load balancers whose addresses change (containers) are listed by network: 10.0.0.0/8.
            foreach (var network in builder.Configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
            {
                if (!System.Net.IPNetwork.TryParse(network, out var parsed))
                    throw new StartupException($"ForwardedHeaders:KnownNetworks has '{network}', which is not a network (10.0.0.0/8).");
                options.KnownIPNetworks.Add(parsed);
            }
        });
        // Pages live in their feature folders (Email/Links/…), with explicit routes.
        services.AddRazorPages(options => options.RootDirectory = "/").AddMvcOptions(options =>
        {
            FormValidation.Configure(options);
            options.Filters.Add(new HeldConnection.DuringPageHandler());
        });
        // French pages: write é and « » as they are, not as &#xE9; entities.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(options =>
            options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]).AddCheck<OutboxHealthCheck>("mail", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// E-mail link tokens travel in URL paths (/l/{token}). The framework categories that write request paths or
    /// route values (request lines, the request scope, route matching, page invocation) are held back whatever
    /// the configured levels say; a reverse proxy's access log, with paths redacted, is the place for request lines.
    /// </summary>
    private static void KeepLinkTokensOutOfLogs(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.AddFilter("Microsoft.AspNetCore.StaticFiles", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Mvc", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Antiforgery", LogLevel.Warning);
    }

    /// <summary>
    /// Logging:Format=Json: one JSON object per line on the console (the built-in formatter), each with the trace and span ids
    /// of the request or delivery it belongs to. The scopes carry those ids and nothing else that matters: the request scope,
    /// which holds the path (and so a link's token), is never made (its category is off, <see cref="KeepLinkTokensOutOfLogs"/>).
    /// </summary>
    private static void JsonLogs(ILoggingBuilder logging)
    {
        logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
        logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // A request or a delivery has a trace id even when no exporter listens: the activities are made, not recorded.
        System.Diagnostics.ActivitySource.AddActivityListener(TraceIdsForLogs);
    }

    private static readonly System.Diagnostics.ActivityListener TraceIdsForLogs = new()
    {
        ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or Telemetry.Name,
        Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.PropagationData,
    };

    private static void AddWebhooks(IServiceCollection services, Webhooks.WebhookOptions webhooks)
    {
        services.AddSingleton(webhooks);
        services.AddScoped<Webhooks.WebhookEndpoints>();
        services.AddSingleton<Webhooks.WebhookSender>();
        if (webhooks.DispatcherEnabled)
            services.AddHostedService<Webhooks.WebhookDispatcher>();
    }

    private static void AddEmail(IServiceCollection services, EmailOptions email, DatabaseOptions database, bool retentionJob)
    {
        services.AddSingleton(email);
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxWakeUp>();
        services.AddSingleton<TemplateSafety>();
        services.AddSingleton<TemplateRenderer>();
        services.AddScoped<MailComposer>();
        services.AddScoped<Passerelle.Email.Links.LinkResolver>();
        services.AddSingleton<Passerelle.Email.DevMailbox.DevMailbox>();
        services.AddSingleton<MimeMails>();
        if (email.Delivery == MailDelivery.Folder)
            services.AddSingleton<IMailTransport, FolderMailTransport>();
        else
            services.AddSingleton<IMailTransport, SmtpMailTransport>();
        services.AddSingleton<RequestsInFlight>();
        services.AddSingleton<DispatcherScopes>();
        services.AddSingleton<OutboxDelivery>();
        services.AddSingleton<Reminders>();
        services.AddSingleton<PersonalData.Retention>();
        // The instances that send the mails also run the daily jobs (reminders, retention): the database shares their work out.
        if (email.DispatcherEnabled)
        {
            services.AddHostedService<OutboxDispatcher>();
            services.AddHostedService<ReminderJob>();
            if (retentionJob)
                services.AddHostedService<PersonalData.RetentionJob>();
        }
        // Instances wake each other's dispatchers when they queue mail (LISTEN/NOTIFY); SQLite has one instance.
        if (database.Provider == DatabaseProvider.PostgreSQL)
        {
            if (email.DispatcherEnabled)
                services.AddHostedService<OutboxListener>();
            else
                services.AddHostedService<OutboxAnnouncer>();
        }
    }

    public static DbContextOptionsBuilder UseDatabase(DbContextOptionsBuilder options, DatabaseOptions database) =>
        UseDatabase(options, database, database.ConnectionString);

    private static DbContextOptionsBuilder UseDatabase(DbContextOptionsBuilder options, DatabaseOptions database, string connectionString) => database.Provider switch
    {
        DatabaseProvider.Sqlite => options.UseSqlite(connectionString).AddInterceptors(SqliteSecureDelete.Instance),
        _ => options.UseNpgsql(connectionString).ReplaceService<IModificationCommandBatchFactory, InsertBatches>()
            .ReplaceService<Microsoft.EntityFrameworkCore.Storage.IDatabase, InsertOnlySaves>(),
    };

    private static T Configure<T>(T options, IServiceProvider provider, string connectionString) where T : DbContextOptionsBuilder
    {
        UseDatabase(options, provider.GetRequiredService<DatabaseOptions>(), connectionString)
            .AddInterceptors(provider.GetRequiredService<OutboxWakeUp>(), new TransitionsMeter(provider.GetRequiredService<PasserelleMetrics>()));
        return options;
    }

    public static WebApplication MapPasserelle(this WebApplication app)
    {
        if (app.Environment.IsProduction() && !app.Services.GetRequiredService<KeyRingOptions>().IsConfigured)
            app.Logger.LogWarning("The data-protection keys (they sign sessions and forms) are stored unencrypted in the database: " +
                "set DataProtection:CertificatePath (and DataProtection:CertificatePassword) to encrypt them, and protect database backups.");
        var inFlight = app.Services.GetRequiredService<RequestsInFlight>();
        app.Use((context, next) => inFlight.TrackAsync(context, next));
        app.UseForwardedHeaders();
        app.UseSecurityHeaders(app.Environment);
        app.UseHttpsOnly(app.Environment, app.Logger);
        app.UseExceptionHandler("/erreur/500");
        // An error answered without content (an expired antiforgery token, say) gets a French page.
        app.UseStatusCodePagesWithReExecute("/erreur/{0}");
        // The API answers its own errors as problem details, and takes its key instead of a session.
        app.UseApiAccess();
        // A cross-site post is refused before its body is read; then forms past the limits get their 413.
        app.UseCrossSiteRefusal(app.Services.GetRequiredService<EmailOptions>());
        app.UseRequestLimits();
        app.UseStaticFiles(SecurityHeaders.CachedStaticFiles());
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapGet("/", () => Results.Content(HomePage, "text/html; charset=utf-8"));
        // The back-office's address, as people type it: its start page (the sign-in page first when signed out).
        app.MapGet("/ecole", () => Results.LocalRedirect("/ecole/mises-en-relation"));
        app.MapRazorPages();
        app.MapDocumentDownloads();
        app.MapCandidateDocuments();
        app.MapPasserelleApi();
        return app;
    }

    private const string HomePage = """
        <!doctype html>
        <html lang="fr">
        <head><meta charset="utf-8"><title>Passerelle</title></head>
        <body>
        <main>
        <h1>Passerelle</h1>
        <p>Le service de mise en relation entre les centres de formation, leurs candidats et les entreprises.</p>
        <ul>
        <li><a href="/entreprise">Passerelle Entreprises</a> : l'espace des contacts entreprise.</li>
        <li><a href="/ecole">Passerelle École</a> : l'espace des centres de formation.</li>
        </ul>
        </main>
        </body>
        </html>
        """;
}
