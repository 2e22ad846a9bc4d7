using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Schools;

namespace Passerelle.Candidates;

// How this feature's entities map to tables: names and keys; columns are snake_case by convention (PasserelleDb).
// The schema itself is the hand-written SQL under Storage/Migrations, checked against this model by the schema tests.

internal sealed class CandidateConfiguration : IEntityTypeConfiguration<Candidate>
{
    public void Configure(EntityTypeBuilder<Candidate> builder)
    {
        builder.ToTable("candidates");
        builder.Ignore(c => c.DisplayName);
        builder.HasOne<School>().WithMany().HasForeignKey(c => c.SchoolId);
        // An update saves only where the candidate is still not erased (WHERE erased_at IS NULL): an edit read before an
        // erasure and saved after it fails (DbUpdateConcurrencyException) instead of bringing the name back.
        builder.Property(c => c.ErasedAt).IsConcurrencyToken();
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
