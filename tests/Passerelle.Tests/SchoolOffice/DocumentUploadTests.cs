using System.IO.Compression;
using System.Text;
using Passerelle.Candidates;
using Passerelle.Demo;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>What a file must be to be stored: judged from its structure, not its first bytes or its name.</summary>
public class DocumentUploadTests
{
    [Fact]
    public void A_real_pdf_is_accepted()
    {
        var pdf = DemoPdf.Create("CV de Margaud");

        DocumentUpload.Check(pdf).ShouldBe(("application/pdf", null));
        PdfCheck.Open(pdf).ShouldBeTrue();
    }

    [Theory]
    [InlineData("%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj")]
    [InlineData("%PDF-1.7\n1 0 obj << /Type /Action /S /Launch /F (cmd.exe) >> endobj")]
    [InlineData("%PDF-1.7\n1 0 obj << /EmbeddedFiles 2 0 R >> endobj")]
    public void A_pdf_with_active_content_is_refused(string content)
    {
        DocumentUpload.Check(Encoding.ASCII.GetBytes(content)).ShouldBe((null, "actif"));
    }

    [Theory]
    [InlineData("%PDF-1.4\n<html><body><script>alert(1)</script></body></html>")]
    [InlineData("%PDF-")]
    public void A_file_that_only_starts_like_a_pdf_does_not_open(string content)
    {
        PdfCheck.Open(Encoding.ASCII.GetBytes(content)).ShouldBeFalse();
        PdfCheck.Open(DemoPdf.Create("cv")).ShouldBeTrue();
    }

    [Fact]
    [Trait(Category.Name, Category.Process)]
    public async Task PdfPig_runs_in_a_child_process_that_answers_for_a_real_pdf_and_a_fake_one()
    {
        // Passerelle.dll check-pdf, as the upload endpoint runs it: a parser's stack overflow would end that child only.
        (await PdfCheck.OpensAsync(DemoPdf.Create("cv"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None)).ShouldBeTrue();
        (await PdfCheck.OpensAsync("%PDF-1.4\n<html><script>alert(1)</script></html>"u8.ToArray(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None)).ShouldBeFalse();
    }

    [Fact]
    public void A_real_pdf_with_a_script_added_is_refused()
    {
        var pdf = Encoding.ASCII.GetString(DemoPdf.Create("cv")).Replace("<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", StringComparison.Ordinal);

        DocumentUpload.Check(Encoding.ASCII.GetBytes(pdf)).Problem.ShouldBe("actif");
    }

    [Fact]
    public void A_word_document_is_accepted_and_one_with_macros_is_refused()
    {
        var docx = Zip(("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types/>")), ("word/document.xml", Encoding.UTF8.GetBytes("<w:document/>")));
        var docm = Zip(("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types><Default ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/></Types>")),
            ("word/document.xml", Encoding.UTF8.GetBytes("<w:document/>")), ("word/vbaProject.bin", [1, 2, 3]));

        Check(docx).ShouldBe(("application/vnd.openxmlformats-officedocument.wordprocessingml.document", null));
        Check(docm).ShouldBe((null, "macros"));
    }

    [Fact]
    public void A_zip_bomb_disguised_as_a_word_document_is_refused_for_its_unpacked_volume()
    {
        // 200 MB of zeros compress to a few hundred kilobytes.
        var bomb = Zip(("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types/>")), ("word/document.xml", new byte[200 * 1024 * 1024]));
        bomb.Length.ShouldBeLessThan(1024 * 1024);

        Check(bomb).ShouldBe((null, "volume"));
    }

    [Fact]
    public void A_zip_that_is_not_a_word_document_is_refused_as_a_type()
    {
        Check(Zip(("payload.exe", [0x4D, 0x5A]))).ShouldBe((null, "type"));
    }

    private static (string? ContentType, string? Problem) Check(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return DocumentUpload.Check(bytes, stream);
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(content);
            }
        }
        return stream.ToArray();
    }
}
