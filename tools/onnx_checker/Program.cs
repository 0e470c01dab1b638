// Writes every model of OnnxCheckedModels as FOLDER/<name>.onnx and FOLDER/manifest.json ({name: structure hash}),
// which check_models.py reads.
using System.Text.Json.Nodes;
using LstmSharp.OnnxChecker;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run --project tools/onnx_checker -- FOLDER");
    return 1;
}
Directory.CreateDirectory(args[0]);
var manifest = new JsonObject();
foreach (var model in OnnxCheckedModels.All)
{
    var bytes = model.Export();
    File.WriteAllBytes(Path.Combine(args[0], model.Name + ".onnx"), bytes);
    manifest[model.Name] = OnnxCheckedModels.StructureHash(bytes);
    Console.WriteLine($"{model.Name}.onnx: {bytes.Length:N0} bytes");
}
File.WriteAllText(Path.Combine(args[0], "manifest.json"), manifest.ToJsonString(new() { WriteIndented = true }));
return 0;
