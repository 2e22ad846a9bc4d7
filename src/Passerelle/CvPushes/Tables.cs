using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.Schools;

namespace Passerelle.CvPushes;

// How this feature's entities map to tables: names and keys; columns are snake_case by convention (PasserelleDb).
// The schema itself is the hand-written SQL under Storage/Migrations, checked against this model by the schema tests.

internal sealed class CvPushConfiguration : IEntityTypeConfiguration<CvPush>
{
    public void Configure(EntityTypeBuilder<CvPush> builder)
    {
        builder.ToTable("cv_pushes");
        builder.HasOne<School>().WithMany().HasForeignKey(p => p.SchoolId);
        builder.HasOne<CompanyContact>().WithMany().HasForeignKey(p => p.ContactId);
        builder.HasOne<Staff>().WithMany().HasForeignKey(p => p.CreatedByStaffId);
    }
}

internal sealed class PushedProfileConfiguration : IEntityTypeConfiguration<PushedProfile>
{
    public void Configure(EntityTypeBuilder<PushedProfile> builder)
    {
        builder.ToTable("pushed_profiles");
        builder.Ignore(p => p.IsOpen);
        // The conditional write: of two answers at once, one wins.
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasOne<CvPush>().WithMany().HasForeignKey(p => p.CvPushId);
        builder.HasOne<Candidate>().WithMany().HasForeignKey(p => p.CandidateId);
        builder.HasOne<CompanyContact>().WithMany().HasForeignKey(p => p.ContactId);
        builder.HasOne<Referrals.Referral>().WithMany().HasForeignKey(p => p.ReferralId);
        builder.HasMany(p => p.SharedDocuments).WithOne().HasForeignKey(d => d.PushedProfileId);
    }
}

internal sealed class PushedProfileDocumentConfiguration : IEntityTypeConfiguration<PushedProfileDocument>
{
    public void Configure(EntityTypeBuilder<PushedProfileDocument> builder)
    {
        builder.ToTable("pushed_profile_documents");
        builder.HasKey(d => new { d.PushedProfileId, d.DocumentId });
        builder.HasOne<Document>().WithMany().HasForeignKey(d => d.DocumentId);
    }
}
