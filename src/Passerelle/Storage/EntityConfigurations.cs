using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Accounts;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;

namespace Passerelle.Storage;

// Table names and keys; columns are snake_case by convention (PasserelleDb). The schema itself is the
// hand-written SQL under Storage/Migrations, checked against this model by the schema tests.

internal sealed class SchoolConfiguration : IEntityTypeConfiguration<School>
{
    public void Configure(EntityTypeBuilder<School> builder)
    {
        builder.ToTable("schools");
        builder.Ignore(s => s.RefusalReasonList);
    }
}

internal sealed class StaffConfiguration : IEntityTypeConfiguration<Staff>
{
    public void Configure(EntityTypeBuilder<Staff> builder)
    {
        builder.ToTable("staff");
        builder.Ignore(s => s.DisplayName);
        builder.HasOne<School>().WithMany().HasForeignKey(s => s.SchoolId);
    }
}

internal sealed class CandidateConfiguration : IEntityTypeConfiguration<Candidate>
{
    public void Configure(EntityTypeBuilder<Candidate> builder)
    {
        builder.ToTable("candidates");
        builder.Ignore(c => c.DisplayName);
        builder.HasOne<School>().WithMany().HasForeignKey(c => c.SchoolId);
    }
}

internal sealed class DocumentConfiguration : IEntityTypeConfiguration<Document>
{
    public void Configure(EntityTypeBuilder<Document> builder)
    {
        builder.ToTable("documents");
        builder.Ignore(d => d.Label);
        builder.HasOne<Candidate>().WithMany().HasForeignKey(d => d.CandidateId);
    }
}

internal sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> builder)
    {
        builder.ToTable("companies");
        builder.HasIndex(c => c.Siret).IsUnique();
    }
}

internal sealed class CompanyContactConfiguration : IEntityTypeConfiguration<CompanyContact>
{
    public void Configure(EntityTypeBuilder<CompanyContact> builder)
    {
        builder.ToTable("company_contacts");
        builder.Ignore(c => c.DisplayName);
        builder.HasOne<School>().WithMany().HasForeignKey(c => c.LastSchoolId);
        builder.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId);
    }
}

internal sealed class SchoolContactConfiguration : IEntityTypeConfiguration<SchoolContact>
{
    public void Configure(EntityTypeBuilder<SchoolContact> builder)
    {
        builder.ToTable("school_contacts");
        builder.HasKey(l => new { l.SchoolId, l.ContactId });
        builder.HasOne<CompanyContact>().WithMany().HasForeignKey(l => l.ContactId);
    }
}

internal sealed class SchoolCompanyConfiguration : IEntityTypeConfiguration<SchoolCompany>
{
    public void Configure(EntityTypeBuilder<SchoolCompany> builder)
    {
        builder.ToTable("school_companies");
        builder.HasKey(l => new { l.SchoolId, l.CompanyId });
        builder.HasOne<School>().WithMany().HasForeignKey(l => l.SchoolId);
        builder.HasOne<Company>().WithMany().HasForeignKey(l => l.CompanyId);
    }
}

internal sealed class ContactInvitationConfiguration : IEntityTypeConfiguration<ContactInvitation>
{
    public void Configure(EntityTypeBuilder<ContactInvitation> builder)
    {
        builder.ToTable("contact_invitations");
        builder.HasOne<School>().WithMany().HasForeignKey(i => i.SchoolId);
        builder.HasOne<CompanyContact>().WithMany().HasForeignKey(i => i.ContactId);
    }
}

internal sealed class JobOfferConfiguration : IEntityTypeConfiguration<JobOffer>
{
    public void Configure(EntityTypeBuilder<JobOffer> builder)
    {
        builder.ToTable("job_offers");
        builder.HasOne<Company>().WithMany().HasForeignKey(o => o.CompanyId);
    }
}

internal sealed class ReferralConfiguration : IEntityTypeConfiguration<Referral>
{
    public void Configure(EntityTypeBuilder<Referral> builder)
    {
        builder.ToTable("referrals");
        builder.Ignore(r => r.Appointment);
        builder.Ignore(r => r.IsCancelled);
        // The conditional write: UPDATE … WHERE id = @id AND version = @versionRead.
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasOne<Candidate>().WithMany().HasForeignKey(r => r.CandidateId);
        builder.HasOne<JobOffer>().WithMany().HasForeignKey(r => r.JobOfferId);
        builder.HasOne<CompanyContact>().WithMany().HasForeignKey(r => r.ContactId);
        builder.HasMany(r => r.SharedDocuments).WithOne().HasForeignKey(d => d.ReferralId);
    }
}

internal sealed class ReferralDocumentConfiguration : IEntityTypeConfiguration<ReferralDocument>
{
    public void Configure(EntityTypeBuilder<ReferralDocument> builder)
    {
        builder.ToTable("referral_documents");
        builder.HasKey(d => new { d.ReferralId, d.DocumentId });
        builder.HasOne<Document>().WithMany().HasForeignKey(d => d.DocumentId);
    }
}

internal sealed class ReferralEventConfiguration : IEntityTypeConfiguration<ReferralEvent>
{
    public void Configure(EntityTypeBuilder<ReferralEvent> builder)
    {
        builder.ToTable("referral_events");
        builder.HasIndex(e => new { e.ReferralId, e.Sequence }).IsUnique();
        builder.HasOne<Referral>().WithMany().HasForeignKey(e => e.ReferralId);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasOne<School>().WithMany().HasForeignKey(m => m.SchoolId);
        builder.HasOne<Referral>().WithMany().HasForeignKey(m => m.ReferralId);
    }
}

internal sealed class ActionLinkConfiguration : IEntityTypeConfiguration<ActionLink>
{
    public void Configure(EntityTypeBuilder<ActionLink> builder)
    {
        builder.ToTable("action_links");
        builder.HasOne<Referral>().WithMany().HasForeignKey(l => l.ReferralId);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(l => l.OutboxMessageId);
    }
}

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> builder)
    {
        builder.ToTable("email_templates");
        builder.HasKey(t => new { t.SchoolId, t.Key });
    }
}

internal sealed class AccountTokenConfiguration : IEntityTypeConfiguration<AccountToken>
{
    public void Configure(EntityTypeBuilder<AccountToken> builder) => builder.ToTable("account_tokens");
}

internal sealed class LoginThrottleConfiguration : IEntityTypeConfiguration<LoginThrottle>
{
    public void Configure(EntityTypeBuilder<LoginThrottle> builder)
    {
        builder.ToTable("login_throttles");
        builder.HasKey(t => new { t.AccountKind, t.Login, t.ClientAddress });
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("data_protection_keys");
        builder.HasKey(k => k.Name);
    }
}
