using Passerelle.Email;

namespace Passerelle.Tests.Email;

/// <summary>The folder's copies of mails, forgotten when a person is erased.</summary>
public sealed class FolderMailTransportTests
{
    [Fact]
    public void Forgetting_mails_in_a_folder_never_written_to_does_nothing_instead_of_failing_the_erasure()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"passerelle-no-mail-{Guid.NewGuid():N}");
        Should.NotThrow(() => FolderMailTransport.Forget(new EmailOptions { Delivery = MailDelivery.Folder, Folder = folder }, ["<a@passerelle>"]));
        Directory.Exists(folder).ShouldBeFalse();
    }

    [Fact]
    public void Forgetting_mails_deletes_their_copies_and_keeps_the_others()
    {
        var folder = Directory.CreateTempSubdirectory("passerelle-mail-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "a_passerelle.eml"), "a");
            File.WriteAllText(Path.Combine(folder, "b_passerelle.eml"), "b");
            FolderMailTransport.Forget(new EmailOptions { Delivery = MailDelivery.Folder, Folder = folder }, ["<a@passerelle>"]);
            Directory.GetFiles(folder).Select(Path.GetFileName).ShouldBe(["b_passerelle.eml"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
