package org.sparse4j.nativeapi.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * The whole translation policy from {@code native/include/sparse4j.h} to Java. JavaCPP's parser
 * reads the header with these rules and writes {@code org.sparse4j.nativeapi.Sparse4jNative}.
 * Internal: users go through {@code org.sparse4j} and never touch the generated class.
 */
@Properties(
        target = "org.sparse4j.nativeapi.Sparse4jNative",
        value = @Platform(include = "sparse4j.h", link = "sparse4j@.0"))
public class Sparse4jConfig implements InfoMapper {
    @Override
    public void map(InfoMap infoMap) {
        infoMap.put(new Info("SPARSE4J_H").cppTypes().annotations())
                // A plain C API: its typedef'd enums are ints in Java, and the opaque context is a
                // pointer class passed by pointer-to-pointer to s4j_context_create.
                .put(new Info("s4j_status", "s4j_dtype", "s4j_backend", "s4j_op").cast().valueTypes("int").pointerTypes("IntPointer"))
                .put(new Info("s4j_context").valueTypes("s4j_context_t").pointerTypes("@ByPtrPtr s4j_context_t"))
                .put(new Info("s4j_context_t").pointerTypes("s4j_context_t"))
                .put(new Info("s4j_spmm_plan").valueTypes("s4j_spmm_plan_t").pointerTypes("@ByPtrPtr s4j_spmm_plan_t"))
                .put(new Info("s4j_spmm_plan_t").pointerTypes("s4j_spmm_plan_t"));
    }
}
