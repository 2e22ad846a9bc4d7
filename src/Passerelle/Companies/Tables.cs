using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Schools;

namespace Passerelle.Companies;

// How this feature's entities map to tables: names and keys; columns are snake_case by convention (PasserelleDb).
// The schema itself is the hand-written SQL under Storage/Migrations, checked against this model by the schema tests.

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
        // As a candidate's: an update saves only where the contact is still not erased, so a save read before an erasure fails
        // (DbUpdateConcurrencyException) instead of writing the name or the address back. Corrections and address confirmations
        // take the row first instead (Corrections.HoldContactAsync): they are refused before anything is written.
        builder.Property(c => c.ErasedAt).IsConcurrencyToken();
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
