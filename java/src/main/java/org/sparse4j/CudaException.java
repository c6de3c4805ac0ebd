package org.sparse4j;

/** A CUDA call failed; the message names the CUDA error and the call. */
public class CudaException extends Sparse4jException {
    public CudaException(String message) {
        super(Status.CUDA_ERROR, message);
    }
}
