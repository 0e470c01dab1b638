// OnnxFeeds: a tensor as the ONNX Runtime input the session declares — int64 for token ids (the ids an Embedding
// reads are whole numbers held in our float tensors), float otherwise.
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LstmSharp.Tests.Onnx;

internal static class OnnxFeeds
{
    public static NamedOnnxValue Of(InferenceSession session, string name, Tensor value)
    {
        var shape = value.Shape.ToArray();
        return session.InputMetadata[name].ElementDataType == TensorElementType.Int64
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(value.ToArray().Select(v => checked((long)v)).ToArray(), shape))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(value.ToArray(), shape));
    }
}
