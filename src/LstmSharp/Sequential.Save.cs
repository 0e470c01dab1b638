// Sequential.Save: one-file model files (safetensors with the architecture in its metadata).
using LstmSharp.IO;

namespace LstmSharp;

public sealed partial class Sequential
{
    /// <summary>
    /// Saves the architecture and weights to one safetensors file, atomically: an existing file is replaced only
    /// once the new one is completely written. Predictions of the loaded model are bit-identical.
    /// </summary>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>Loads a model saved by <see cref="Save"/>; the file's errors name the file and the problem.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid LstmSharp model file.</exception>
    public static Sequential Load(string path) => ModelFile.Load(path);
}
