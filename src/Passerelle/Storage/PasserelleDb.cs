using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Passerelle.Accounts;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.CvPushes;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;

namespace Passerelle.Storage;

/// <summary>
/// The database. Every school-owned entity is filtered to the school this context was opened for
/// (<see cref="ForSchool"/>); a context opened for no school sees none of them, so a forgotten scope
/// fails closed. Cross-school work (demo seeding, mail dispatch) says so with <see cref="ForSystem"/>
/// and <c>IgnoreQueryFilters()</c>.
/// </summary>
public sealed class PasserelleDb(DbContextOptions<PasserelleDb> options) : DbContext(options)
{
    private Guid? _schoolId;
    private bool _system;

    /// <summary>The school this context works for, if any.</summary>
    public Guid? SchoolId => _schoolId;

    /// <summary>The transaction whose commit will make added outbox rows visible to the dispatcher (Email/OutboxWakeUp).</summary>
    internal Guid? MailAwaitingCommit { get; set; }

    /// <summary>The save under way adds outbox rows outside a caller's transaction (Email/OutboxWakeUp).</summary>
    internal bool MailSavedAlone { get; set; }

    /// <summary>
    /// A school that a read made for the next save found without webhook endpoints (a proposal's checks): that save adds no
    /// deliveries for it without looking again. Good for one save only: every save clears it.
    /// </summary>
    internal Guid? SchoolWithoutWebhookEndpoints { get; set; }

    /// <summary>The timeline events the save under way adds, counted once saved (Hosting/Telemetry).</summary>
    internal List<ReferralEvent>? EventsBeingSaved { get; set; }

    public DbSet<School> Schools => Set<School>();
    public DbSet<Staff> Staff => Set<Staff>();
    public DbSet<Candidate> Candidates => Set<Candidate>();
    public DbSet<Document> Documents => Set<Document>();
    public DbSet<Company> Companies => Set<Company>();
    public DbSet<CompanyContact> CompanyContacts => Set<CompanyContact>();
    public DbSet<SchoolContact> SchoolContacts => Set<SchoolContact>();
    public DbSet<SchoolCompany> SchoolCompanies => Set<SchoolCompany>();
    public DbSet<ContactInvitation> ContactInvitations => Set<ContactInvitation>();
    public DbSet<JobOffer> JobOffers => Set<JobOffer>();
    public DbSet<Referral> Referrals => Set<Referral>();
    public DbSet<ReferralDocument> ReferralDocuments => Set<ReferralDocument>();
    public DbSet<ReferralEvent> ReferralEvents => Set<ReferralEvent>();
    public DbSet<CvPush> CvPushes => Set<CvPush>();
    public DbSet<PushedProfile> PushedProfiles => Set<PushedProfile>();
    public DbSet<PushedProfileDocument> PushedProfileDocuments => Set<PushedProfileDocument>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<ActionLink> ActionLinks => Set<ActionLink>();
    public DbSet<EmailTemplate> EmailTemplates => Set<EmailTemplate>();
    public DbSet<AccountToken> AccountTokens => Set<AccountToken>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Api.ApiKey> ApiKeys => Set<Api.ApiKey>();
    public DbSet<Api.IdempotentRequest> IdempotentRequests => Set<Api.IdempotentRequest>();
    public DbSet<Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Webhooks.WebhookEndpoint>();
    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();
    public DbSet<Changes.ChangeRecord> ChangeRecords => Set<Changes.ChangeRecord>();
    public DbSet<PersonalData.ProfileView> ProfileViews => Set<PersonalData.ProfileView>();

    /// <summary>Scopes this context to one school. A context is scoped once; it cannot move to another school.</summary>
    public PasserelleDb ForSchool(Guid schoolId)
    {
        if (_schoolId is { } current && current != schoolId)
            throw new InvalidOperationException("This context already works for another school.");
        _schoolId = schoolId;
        return this;
    }

    /// <summary>Back to working for no school: how a context comes out of the pool.</summary>
    internal PasserelleDb Unscoped()
    {
        _schoolId = null;
        _system = false;
        MailAwaitingCommit = null;
        MailSavedAlone = false;
        SchoolWithoutWebhookEndpoints = null;
        EventsBeingSaved = null;
        return this;
    }

    /// <summary>Allows writes for any school. Reads still need IgnoreQueryFilters(), written where they happen.</summary>
    public PasserelleDb ForSystem()
    {
        _system = true;
        return this;
    }

    // Every save that adds referral events adds their webhook deliveries with them (Webhooks/WebhookEvents.cs).
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        WithoutSavepoint();
        var detecting = DetectChangesOnce();
        try
        {
            Webhooks.WebhookEvents.AddDeliveries(this);
            CheckSchoolScope();
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detecting;
            SchoolWithoutWebhookEndpoints = null;
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        WithoutSavepoint();
        var detecting = DetectChangesOnce();
        try
        {
            await Webhooks.WebhookEvents.AddDeliveriesAsync(this, cancellationToken);
            CheckSchoolScope();
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detecting;
            SchoolWithoutWebhookEndpoints = null;
        }
    }

    /// <summary>
    /// Detects the changes to the tracked entities once for the whole save, and turns the detection off until it ends (the caller
    /// turns it back to what this returns). The save's hooks — its webhooks, the school check, the telemetry interceptor — each
    /// list the tracked entries, and EF Core detected the changes again at each listing and at the save itself: four times,
    /// a tenth of the server's processor in a create through the API. None of the hooks changes a tracked entity's values
    /// (they only add entities, which needs no detection).
    /// </summary>
    private bool DetectChangesOnce()
    {
        var detecting = ChangeTracker.AutoDetectChangesEnabled;
        if (detecting)
        {
            ChangeTracker.DetectChanges();
            ChangeTracker.AutoDetectChangesEnabled = false;
        }
        return detecting;
    }

    /// <summary>
    /// No savepoint around a save made in a transaction. EF Core sets one so that a transaction can go on after a failed save;
    /// nothing in Passerelle does (each of its transactions is rolled back whole when a save in it fails), and releasing the
    /// savepoint was one more round trip for every such save. Set at each save: a pooled context comes back with EF Core's default.
    /// </summary>
    private void WithoutSavepoint() => Database.AutoSavepointsEnabled = false;

    /// <summary>A context scoped to school A never writes a row of school B, and an unscoped one writes none.</summary>
    private void CheckSchoolScope()
    {
        if (_system)
            return;
        foreach (var entry in ChangeTracker.Entries<ISchoolOwned>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
                continue;
            if (entry.Entity.SchoolId != _schoolId)
                throw new InvalidOperationException(
                    $"Refused to write a {entry.Metadata.ClrType.Name} of another school than the one this context works for.");
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: readable in SQL, and stable when members are added.
        configurationBuilder.Properties<ReferralStage>().HaveConversion<string>();
        configurationBuilder.Properties<OfferAnswer>().HaveConversion<string>();
        configurationBuilder.Properties<CompanyAnswer>().HaveConversion<string>();
        configurationBuilder.Properties<AppointmentAnswer>().HaveConversion<string>();
        configurationBuilder.Properties<Outcome>().HaveConversion<string>();
        configurationBuilder.Properties<ReferralEventKind>().HaveConversion<string>();
        configurationBuilder.Properties<ActorKind>().HaveConversion<string>();
        configurationBuilder.Properties<Party>().HaveConversion<string>();
        configurationBuilder.Properties<Channel>().HaveConversion<string>();
        configurationBuilder.Properties<StaffRole>().HaveConversion<string>();
        configurationBuilder.Properties<DocumentKind>().HaveConversion<string>();
        configurationBuilder.Properties<Recipient>().HaveConversion<string>();
        configurationBuilder.Properties<CalendarInvite>().HaveConversion<string>();
        configurationBuilder.Properties<OutboxState>().HaveConversion<string>();
        configurationBuilder.Properties<LinkStep>().HaveConversion<string>();
        configurationBuilder.Properties<AccountKind>().HaveConversion<string>();
        configurationBuilder.Properties<AccountTokenPurpose>().HaveConversion<string>();
        configurationBuilder.Properties<PushedProfileState>().HaveConversion<string>();
        configurationBuilder.Properties<Webhooks.WebhookDeliveryState>().HaveConversion<string>();
        configurationBuilder.Properties<Changes.ChangeSubject>().HaveConversion<string>();
        configurationBuilder.Properties<JobOffers.ContractKind>().HaveConversion<string>();

        // SQLite has no time type that EF can compare or sort: store UTC ticks (see the SQLite schema).
        if (Database.IsSqlite())
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PasserelleDb).Assembly);

        // Every school-owned entity, whichever it is: a new one cannot be forgotten (TenantIsolationTests checks the model).
        var filterBySchool = typeof(PasserelleDb).GetMethod(nameof(FilterBySchool), BindingFlags.NonPublic | BindingFlags.Instance)!;
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => typeof(ISchoolOwned).IsAssignableFrom(e.ClrType)).ToList())
            filterBySchool.MakeGenericMethod(entity.ClrType).Invoke(this, [modelBuilder]);

        UseSnakeCaseColumns(modelBuilder);
    }

    private void FilterBySchool<T>(ModelBuilder modelBuilder) where T : class, ISchoolOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => e.SchoolId == _schoolId);

    /// <summary>Columns are named as in the hand-written SQL: created_at for CreatedAt.</summary>
    private static void UseSnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
                builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks,
        ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
}
