using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.JobOffers;

namespace Passerelle.Referrals;

// How this feature's entities map to tables: names and keys; columns are snake_case by convention (PasserelleDb).
// The schema itself is the hand-written SQL under Storage/Migrations, checked against this model by the schema tests.

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
